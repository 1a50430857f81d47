// @see 4fec91b (Foundation): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { spawnServer } from '../support/spawn-server';

function cspDirectives(header: string | undefined): Map<string, string> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...rest] = d.split(/\s+/);
        return [name!, rest.join(' ')] as [string, string];
      }),
  );
}

test('pages carry a nonce-based CSP that forbids framing, and the baseline headers', async ({ request }) => {
  const response = await request.get('/sign-in');
  expect(response.status()).toBe(200);
  const headers = response.headers();
  const csp = cspDirectives(headers['content-security-policy']);
  expect(csp.get('frame-ancestors')).toBe("'none'");
  expect(csp.get('object-src')).toBe("'none'");
  expect(csp.get('base-uri')).toBe("'none'");
  expect(csp.get('form-action')).toBe("'self'");
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp.get('script-src') ?? '')?.[1];
  expect(nonce).toBeTruthy();
  expect(csp.get('script-src')).not.toContain('unsafe-inline');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['x-powered-by']).toBeUndefined();
  // Plain-http issuer (local development): no HSTS.
  expect(headers['strict-transport-security']).toBeUndefined();

  // Every script Next renders carries this response's nonce, so the CSP lets the page run.
  const html = await response.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

  // A fresh nonce per response.
  const again = cspDirectives((await request.get('/sign-in')).headers()['content-security-policy']);
  expect(again.get('script-src')).not.toBe(csp.get('script-src'));
});

test('API responses and static files carry the headers too', async ({ request }) => {
  const api = await request.get('/api/health');
  expect(api.headers()['x-frame-options']).toBe('DENY');
  expect(cspDirectives(api.headers()['content-security-policy']).get('frame-ancestors')).toBe("'none'");
  const html = await (await request.get('/sign-in')).text();
  const asset = /\/_next\/static\/[^"']+\.css/.exec(html)?.[0];
  expect(asset).toBeTruthy();
  const css = await request.get(asset!);
  expect(css.status()).toBe(200);
  expect(css.headers()['x-content-type-options']).toBe('nosniff');
});

test('behind HTTPS (an https issuer) responses carry HSTS', async () => {
  test.setTimeout(60_000);
  const server = await spawnServer({ LEASH_ISSUER: 'https://leash.example.test' });
  try {
    const response = await fetch(`${server.baseURL}/sign-in`, { redirect: 'manual' });
    expect(response.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
    expect(cspDirectives(response.headers.get('content-security-policy') ?? undefined).has('upgrade-insecure-requests')).toBe(true);
  } finally {
    await server.stop();
  }
});
