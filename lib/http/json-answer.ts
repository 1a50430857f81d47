// JSON answers the production server's fast path writes without reading them back (issue 16 §5).
// `jsonAnswer` makes the Response that `Response.json` makes (the same status, headers and body, a
// `Content-Type: application/json` unless one is given) and remembers its text; server/fast-path.ts
// writes that text straight to the socket instead of draining the Response's body stream.
//
// On the fast path the Response is built without a body at all: a body is a ReadableStream that
// undici builds for every answer (about 13 µs of the 17 a Response costs), and the fast path would
// never read it. The fast path turns this on for its own module instance (`answersWrittenAsText`);
// the Next bundle is another instance in the same process, so its Responses keep their bodies, as
// do the unit tests'. Code that may run on the fast path and needs an answer's body reads it with
// `answerBody` (the MCP tools do), never with `response.text()`.
// The texts are on globalThis: both module instances' answers can be looked up by either.
const holder = globalThis as typeof globalThis & { leashAnswerTexts?: WeakMap<Response, string> };
const texts = (holder.leashAnswerTexts ??= new WeakMap<Response, string>());

let withoutBodies = false;

/** The fast path's module instance: JSON answers carry their text only (server/fast-path.ts). */
export function answersWrittenAsText(): void {
  withoutBodies = true;
}

export function jsonAnswer(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  const text = JSON.stringify(body);
  const headers = init.headers ?? {};
  const typed = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  const response = new Response(withoutBodies ? null : text, { status: init.status ?? 200, headers: typed ? headers : { ...headers, 'Content-Type': 'application/json' } });
  texts.set(response, text);
  return response;
}

/** The text of a `jsonAnswer` Response, for the server to write as it is. */
export function answerText(response: Response): string | undefined {
  return texts.get(response);
}

/** An answer's body as text, whether it is a `jsonAnswer` (with or without a body) or any other Response. */
export async function answerBody(response: Response): Promise<string> {
  return texts.get(response) ?? (await response.text());
}
