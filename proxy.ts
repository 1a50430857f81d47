// Runs before every route: security headers (CSP with a per-request nonce, HSTS on HTTPS), the
// CSRF origin check for state-changing browser requests, and a fast redirect to sign-in for
// signed-out visitors of the dashboard. Authorization itself is checked where data is read.
import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from '@/lib/config/config';
import { checkCsrf } from '@/lib/security/csrf';
import { PATH_HEADER } from '@/lib/http/request-headers';
import { contentSecurityPolicy, securityHeaders } from '@/lib/security/headers';

const DASHBOARD_PREFIXES = ['/agents', '/tokens', '/approvals', '/alerts', '/audit', '/settings'];
const SESSION_COOKIES = ['next-auth.session-token', '__Secure-next-auth.session-token'];

export function proxy(request: NextRequest) {
  const config = getConfig();
  const { pathname } = request.nextUrl;

  const host = request.headers.get('host');
  const csrf = checkCsrf({
    method: request.method,
    pathname,
    origin: request.headers.get('origin'),
    secFetchSite: request.headers.get('sec-fetch-site'),
    allowedOrigins: [new URL(config.issuer).origin, ...(host ? [`${request.nextUrl.protocol}//${host}`] : [])],
  });
  if (!csrf.ok) {
    console.warn(`[csrf] refused ${request.method} ${pathname}: ${csrf.reason}`);
    return withSecurityHeaders(
      NextResponse.json({ error: 'csrf_rejected', message: 'This request did not come from a Leash page and was refused.' }, { status: 403, headers: { 'Cache-Control': 'no-store' } }),
      null,
      config.secure,
    );
  }

  const isDashboard = DASHBOARD_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  if (isDashboard && !SESSION_COOKIES.some((name) => request.cookies.has(name))) {
    const signIn = new URL('/sign-in', config.issuer);
    signIn.searchParams.set('callbackUrl', pathname + request.nextUrl.search);
    return withSecurityHeaders(NextResponse.redirect(signIn), null, config.secure);
  }

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const csp = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === 'development', secure: config.secure });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);
  requestHeaders.set(PATH_HEADER, pathname + request.nextUrl.search);
  return withSecurityHeaders(NextResponse.next({ request: { headers: requestHeaders } }), csp, config.secure);
}

function withSecurityHeaders(response: NextResponse, csp: string | null, secure: boolean) {
  for (const [name, value] of Object.entries(securityHeaders(secure, csp ?? undefined))) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
