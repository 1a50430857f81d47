// Where log lines go, built so that a failing destination can never take the server down (issue
// 19 §1). Writes are asynchronous (pino's SonicBoom on the file descriptor), so a stalled reader (a full
// pipe, a slow disk) never blocks the event loop; what waits is bounded (MAX_BUFFERED_BYTES) and
// lines beyond it are dropped and counted. A destination that is gone for good (EPIPE: the pipe's
// reader exited; EBADF: the descriptor was closed) stops being written to at all: every later line
// is dropped without a system call. Errors are never logged (there is nowhere to log them), so a
// logging failure cannot recurse.
import pino from 'pino';

/** At most this much waits for a slow destination; more is dropped. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const GONE_FOR_GOOD = new Set(['EPIPE', 'EBADF', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

export type LogDestination = {
  write(line: string): boolean;
  /** Writes what is buffered, synchronously and at most once (shutdown); never throws. */
  flush(): void;
  /** Lines dropped since start: destination gone, or over the buffer bound. */
  readonly dropped: number;
  readonly gone: boolean;
};

export function fileDescriptorDestination(fd: number): LogDestination {
  const boom = pino.destination({ fd, sync: false, minLength: 0, maxLength: MAX_BUFFERED_BYTES });
  let gone = false;
  let dropped = 0;
  boom.on('error', (error: NodeJS.ErrnoException) => {
    if (GONE_FOR_GOOD.has(error.code ?? '')) gone = true;
    // Anything else (ENOSPC: a full disk) may pass: the line is lost, later ones are tried.
  });
  boom.on('drop', () => dropped++);
  return {
    write(line) {
      if (gone) {
        dropped++;
        return true;
      }
      try {
        boom.write(line);
      } catch {
        dropped++;
      }
      return true;
    },
    flush() {
      if (gone) return;
      try {
        boom.flushSync();
      } catch {
        /* a destination that cannot take the rest loses it */
      }
    },
    get dropped() {
      return dropped;
    },
    get gone() {
      return gone;
    },
  };
}

/** Lines kept in memory, for tests. */
export function memoryDestination(): LogDestination & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    write(line) {
      lines.push(line);
      return true;
    },
    flush() {},
    dropped: 0,
    gone: false,
  };
}
