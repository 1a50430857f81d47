// A Shared Signals receiver for tests (RFC 8935 push): a real `node:http` server on loopback that
// records every SET POSTed to it, per path, and answers what the test tells it to (202 by default).
// Each SET is verified the way a resource server must (docs/shared-signals.md, "What a receiver
// does"): signature against Leash's JWKS, `typ: secevent+jwt`, `iss`, `aud`; one that fails is
// recorded with its error and answered 400 `invalid_request`, so a test sees it.
import http from 'node:http';
import * as jose from 'jose';

export type ReceivedSet = {
  path: string;
  /** performance.now() when the request's body had arrived. */
  at: number;
  contentType: string;
  authorization: string | null;
  jwt: string;
  header: jose.ProtectedHeaderParameters;
  claims: jose.JWTPayload & { sub_id?: Record<string, unknown>; events?: Record<string, Record<string, unknown>>; txn?: string };
  /** Why verification failed (the SET was then answered 400). */
  invalid?: string;
};

/** What a path answers: a status (and body), or 'drop' (the connection is cut, no answer). */
export type Answer = { status: number; body?: unknown } | 'drop';

export type SsfReceiver = {
  port: number;
  url: (path: string) => string;
  received: ReceivedSet[];
  /** The SETs received on `path`, in arrival order. */
  on: (path: string) => ReceivedSet[];
  /** Answers for the next SETs on `path`, in order; after them, 202. */
  script: (path: string, answers: Answer[]) => void;
  /** Waits for a SET on `path` that `match` accepts (default 10 s). */
  waitFor: (path: string, match: (set: ReceivedSet) => boolean, timeoutMs?: number) => Promise<ReceivedSet>;
  /** Stops listening (the receiver is down) until `start()`. */
  stop: () => Promise<void>;
  start: () => Promise<void>;
};

export const SET_TYP = 'secevent+jwt';

export async function startSsfReceiver(options: { port: number; issuer: string; audienceOf: (path: string) => string | undefined }): Promise<SsfReceiver> {
  const jwks = jose.createRemoteJWKSet(new URL(`${options.issuer}/.well-known/jwks.json`));
  const received: ReceivedSet[] = [];
  const scripts = new Map<string, Answer[]>();
  const waiters = new Set<() => void>();
  const handler: http.RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', async () => {
      const at = performance.now();
      const path = (request.url ?? '/').split('?')[0]!;
      const jwt = Buffer.concat(chunks).toString('utf8');
      const set: ReceivedSet = {
        path,
        at,
        contentType: String(request.headers['content-type'] ?? ''),
        authorization: request.headers.authorization ?? null,
        jwt,
        header: {},
        claims: {},
      };
      try {
        set.header = jose.decodeProtectedHeader(jwt);
        const audience = options.audienceOf(path);
        const { payload } = await jose.jwtVerify(jwt, jwks, { issuer: options.issuer, typ: SET_TYP, ...(audience ? { audience } : {}) });
        set.claims = payload as ReceivedSet['claims'];
      } catch (error) {
        set.invalid = (error as Error).message;
      }
      received.push(set);
      for (const wake of waiters) wake();
      const answer: Answer = set.invalid ? { status: 400, body: { err: 'invalid_request', description: set.invalid } } : (scripts.get(path)?.shift() ?? { status: 202 });
      if (answer === 'drop') return void request.socket.destroy();
      response.writeHead(answer.status, answer.body ? { 'Content-Type': 'application/json' } : {});
      response.end(answer.body ? JSON.stringify(answer.body) : undefined);
    });
  };
  let server = http.createServer(handler);
  const listen = () => new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, '127.0.0.1', () => resolve()));
  await listen();
  const on = (path: string) => received.filter((s) => s.path === path);
  return {
    port: options.port,
    url: (path) => `http://127.0.0.1:${options.port}${path}`,
    received,
    on,
    script: (path, answers) => scripts.set(path, [...answers]),
    waitFor: async (path, match, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = on(path).find(match);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no matching SET on ${path} within ${timeoutMs} ms (received ${on(path).length}: ${JSON.stringify(on(path).map((s) => s.claims.events ?? s.invalid))})`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 100);
        });
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    start: async () => {
      server = http.createServer(handler);
      await listen();
    },
  };
}

export const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const TOKEN_CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';
export const VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';

/** The one event a SET carries (SSF §4.2.1): its type URI and body. */
export function eventOf(set: ReceivedSet): { type: string; body: Record<string, unknown> } {
  const [type, body] = Object.entries(set.claims.events ?? {})[0] ?? ['', {}];
  return { type, body };
}
