// Security headers for every page and API response. The CSP uses a fresh nonce per request, which
// Next.js applies to its own scripts when it finds it in the request's CSP header.
export function contentSecurityPolicy(nonce: string, options: { dev: boolean; secure: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ''}`,
    // Tailwind ships a stylesheet; React and Next set a few inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    // Agent logos come from the agents' own HTTPS origins.
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    // The service worker (public/sw.js: Web Push notifications) is ours alone.
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    // RFC 9700 §4.16 / RFC 6749 §10.13: no page of ours may be framed (clickjacking).
    "frame-ancestors 'none'",
    // TODO(consent): the consent form's redirect to an agent's redirect_uri needs form-action to
    // allow it (Chrome checks form-action on redirects after a POST).
    "form-action 'self'",
  ];
  if (options.secure) directives.push('upgrade-insecure-requests');
  return directives.join('; ');
}

/** Headers that do not depend on the request (also set on static files, next.config.ts). */
export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // No Referer at all: authorization codes and state must never leak to another site (RFC 9700 §4.2.4).
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

export const HSTS = 'max-age=63072000; includeSubDomains';

/** The CSP of responses that are not pages (JSON, errors): nothing loads, nothing frames them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Every security header of a response: its CSP (a page's nonce-based one, or API_CSP), the static ones, HSTS behind HTTPS. */
export function securityHeaders(secure: boolean, csp: string = API_CSP): Record<string, string> {
  return { 'Content-Security-Policy': csp, ...STATIC_SECURITY_HEADERS, ...(secure ? { 'Strict-Transport-Security': HSTS } : {}) };
}
