// Logging that cannot take the server down (issue 19 §1). When the process's stdout or stderr
// goes away (a pipe whose reader exited: `| tee log` when tee dies, a log shipper restarting, an
// SSH session closing; a closed fd; a full disk), the write fails with EPIPE/EBADF/ENOSPC as an
// 'error' event on the stream. With no listener, that event is an uncaught exception; logging it
// writes to the same broken stream, which fails again: the process spins at 100% CPU, stops
// answering and never reaches its SIGTERM handler. A listener that drops the error ends the loop:
// lines written to a destination that is gone are lost (there is nowhere to write them), and the
// server keeps serving. Imported first by server/main.ts, before anything can log.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', () => {
    /* the destination is gone: drop the line, never log about logging */
  });
}
