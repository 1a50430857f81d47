// The API reads' floor in `npm run bench`: a bare `node:http` server that answers every request
// with one recorded answer (its status, headers and body, as Leash answered the read once), and
// checks nothing. What any Node server on this core spends, at least, to read the same requests and
// write the same bytes; started with the same Node flags and pinning as Leash.
//   node floor-http.mjs <port> <answer.json>   answer.json: { status, headers: {name: value}, body }
import fs from 'node:fs';
import http from 'node:http';

const [port, answerFile] = [Number(process.argv[2]), process.argv[3]];
const answer = JSON.parse(fs.readFileSync(answerFile, 'utf8'));
const body = Buffer.from(answer.body);
const headers = { ...answer.headers, 'content-length': String(body.length) };

http
  .createServer((request, response) => {
    // The request is read to its end, as a server must before the connection's next one.
    request.resume();
    response.writeHead(answer.status, headers);
    response.end(body);
  })
  .listen(port, '127.0.0.1', () => process.send?.({ ready: true }));
