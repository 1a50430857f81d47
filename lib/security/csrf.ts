// Cross-site request forgery defence for every state-changing request a browser can make
// (OWASP CSRF cheat sheet, "Verifying Origin with standard headers"; Fetch Metadata). A browser
// always sends `Origin` on POST/PUT/PATCH/DELETE and `Sec-Fetch-Site` on any request; a page on
// another site cannot forge either. Requests without both are not from a browser we serve and are
// refused too. next-auth's own endpoints additionally check their double-submit CSRF token.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// Machine-to-machine endpoints authenticate the caller themselves (client authentication, bearer
// and DPoP tokens, a secret scanning report's signature) and are called cross-origin by design: no
// ambient browser credential to abuse.
// Browser forms under /oauth (consent) must therefore carry their own CSRF token. The AuthZEN PDP
// (/access/v1, resource servers with HTTP Basic) takes only application/json, which no cross-site
// form can send and a cross-site fetch cannot send without a CORS preflight Leash never grants.
// /ssf: the Shared Signals management API, called by resource servers with their own credentials.
const MACHINE_ROOTS = ['/oauth', '/mcp', '/api/v1', '/access/v1', '/ssf', '/api/secret-scanning'];

export type CsrfVerdict = { ok: true } | { ok: false; reason: string };

export function checkCsrf(input: {
  method: string;
  pathname: string;
  origin: string | null;
  secFetchSite: string | null;
  /** Origins this app is served from: the issuer, and the one the request's Host names. */
  allowedOrigins: string[];
}): CsrfVerdict {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return { ok: true };
  if (MACHINE_ROOTS.some((root) => input.pathname === root || input.pathname.startsWith(`${root}/`))) {
    return { ok: true };
  }
  if (input.origin !== null && input.origin !== 'null') {
    return input.allowedOrigins.includes(input.origin) ? { ok: true } : { ok: false, reason: `cross-origin request from ${input.origin}` };
  }
  if (input.secFetchSite === 'same-origin') return { ok: true };
  return { ok: false, reason: input.secFetchSite ? `Sec-Fetch-Site: ${input.secFetchSite}` : 'no Origin header' };
}
