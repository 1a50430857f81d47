// JSON answers the production server's fast path can write without reading them back (issue 16 §5).
// `jsonAnswer` makes the Response that `Response.json` makes (the same status, headers and body, a
// `Content-Type: application/json` unless one is given) and remembers its text; server/fast-path.ts
// writes that text straight to the socket instead of draining the Response's body stream (an
// `arrayBuffer()` through undici's stream machinery for every answer). Anything else reads the
// body as usual: Next's mount, a Response built some other way, one wrapped in a new Response.
// On globalThis: the fast path and the Next bundle are two module instances in one process.
const holder = globalThis as typeof globalThis & { leashAnswerTexts?: WeakMap<Response, string> };
const texts = (holder.leashAnswerTexts ??= new WeakMap<Response, string>());

export function jsonAnswer(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  const text = JSON.stringify(body);
  const headers = init.headers ?? {};
  const typed = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  const response = new Response(text, { status: init.status ?? 200, headers: typed ? headers : { ...headers, 'Content-Type': 'application/json' } });
  texts.set(response, text);
  return response;
}

/** The text of a `jsonAnswer` Response, for the server to write as it is. */
export function answerText(response: Response): string | undefined {
  return texts.get(response);
}
