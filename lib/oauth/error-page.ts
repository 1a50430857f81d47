// Errors the authorization endpoint must not redirect (an unknown client, a redirect URI that does
// not match: RFC 6749 §4.1.2.1) are shown to the user instead. Everything is escaped.
import 'server-only';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function authorizationErrorPage(title: string, detail: string, status = 400): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)} · Leash</title>
<style>body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f6f7f9;color:#0f1729;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center;padding:16px}
main{max-width:420px;background:#fff;border:1px solid #e2e5ea;border-radius:16px;padding:28px}
h1{font-size:18px;margin:0 0 8px}p{color:#5a6477;font-size:14px;line-height:1.6;margin:0 0 8px}
@media (prefers-color-scheme:dark){body{background:#0b0e14;color:#e7eaf0}main{background:#11151d;border-color:#232a36}p{color:#98a2b3}}</style>
</head><body><main role="alert"><h1>${escape(title)}</h1><p>${escape(detail)}</p>
<p>The application that sent you here may be misconfigured. You can close this page.</p></main></body></html>`;
  return new Response(html, {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', Pragma: 'no-cache' },
  });
}
