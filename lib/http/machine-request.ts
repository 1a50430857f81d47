// What the machine routes read of a request (lib/endpoints/machine-routes.ts): its URL, method and
// headers, and its body (through lib/http/read-body.ts). A Web `Request` is one, so Next's mount of
// the same handlers passes its own; the production server's fast path (server/fast-path.ts) passes
// a plain object with these fields instead of building a `Request` per call (issue 16 §5: undici's
// constructor parses the URL again, validates every header a second time and makes an
// AbortController the handlers never use). The routes that hand their request to a library
// expecting a real `Request` (MCP, to the SDK's transport) are marked as such and get one.
export type MachineRequest = Pick<Request, 'url' | 'method' | 'headers' | 'body'>;
