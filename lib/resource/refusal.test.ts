// The resource server's refusals on the wire: the status, every header and the JSON body (in its
// key order) of each kind, exactly as the inline Response builders wrote them before ResourceRefusal
// (issue 13). RFC 6750 §3 (no error code without credentials), RFC 9449 §7.1, RFC 9470 §3.
import { describe, expect, it } from 'vitest';
import { getConfig } from '@/lib/config/config';
import { refusalResponse, ResourceRefusal } from '@/lib/resource/refusal';
import { captureLogs } from '@/lib/log/logger';

const issuer = () => getConfig().issuer;
const metadata = () => `${issuer()}/.well-known/oauth-protected-resource/api`;

async function wire(refusal: ResourceRefusal) {
  const response = refusalResponse(refusal);
  const headers = Object.fromEntries(response.headers);
  delete headers['content-type'];
  return { status: response.status, headers, body: await response.text(), contentType: response.headers.get('content-type') };
}

describe('refusalResponse', () => {
  it('no credentials: a Bearer challenge with the scope to ask for and no error code', async () => {
    const got = await wire(new ResourceRefusal('unauthorized', 'A bearer token is required.', { status: 401, challenge: { scheme: 'Bearer', resource: 'api', scopeHint: 'datasets:read' } }));
    expect(got).toEqual({
      status: 401,
      contentType: 'application/json',
      headers: { 'cache-control': 'no-store', 'www-authenticate': `Bearer realm="leash", resource_metadata="${metadata()}", scope="datasets:read"` },
      body: '{"error":"unauthorized","error_description":"A bearer token is required."}',
    });
  });

  it('insufficient_scope: the scope in the challenge and the body; quotes cannot break the header', async () => {
    const got = await wire(new ResourceRefusal('insufficient_scope', 'This operation needs: "a\\b".', { status: 403, challenge: { scheme: 'Bearer', resource: 'api' }, scope: 'reports:write' }));
    expect(got.status).toBe(403);
    expect(got.headers['www-authenticate']).toBe(
      `Bearer realm="leash", resource_metadata="${metadata()}", error="insufficient_scope", error_description="This operation needs: ab.", scope="reports:write"`,
    );
    expect(got.body).toBe('{"error":"insufficient_scope","error_description":"This operation needs: \\"a\\\\b\\".","scope":"reports:write"}');
  });

  it('DPoP: the DPoP scheme with the accepted algorithms and a fresh nonce', async () => {
    const got = await wire(new ResourceRefusal('use_dpop_nonce', 'Use the nonce.', { status: 401, challenge: { scheme: 'DPoP', resource: 'api' } }));
    expect(got.headers['www-authenticate']).toMatch(
      new RegExp(`^DPoP realm="leash", algs="[A-Za-z0-9 ]+", resource_metadata="${metadata().replace(/[.]/g, '\\.')}", error="use_dpop_nonce", error_description="Use the nonce\\."$`),
    );
    expect(got.headers['dpop-nonce']).toBeTruthy();
    expect(got.body).toBe('{"error":"use_dpop_nonce","error_description":"Use the nonce."}');
  });

  it('step-up: the RFC 9470 challenge and body, policy rule last', async () => {
    const got = await wire(
      new ResourceRefusal('insufficient_user_authentication', 'This action needs a second factor (a "rule").', {
        status: 401,
        challenge: { scheme: 'step-up', resource: 'api', acrValues: 'urn:leash:acr:mfa' },
        fields: { acr_values: 'urn:leash:acr:mfa', policy_rule: 'r1' },
      }),
    );
    expect(got.headers['www-authenticate']).toBe(
      `Bearer realm="leash", error="insufficient_user_authentication", error_description="This action needs a second factor (a rule).", acr_values="urn:leash:acr:mfa", resource_metadata="${metadata()}"`,
    );
    expect(got.body).toBe('{"error":"insufficient_user_authentication","error_description":"This action needs a second factor (a \\"rule\\").","acr_values":"urn:leash:acr:mfa","policy_rule":"r1"}');
  });

  it('no challenge: the body with its extension fields (undefined ones left out) and the extra headers', async () => {
    const got = await wire(new ResourceRefusal('rate_limited', 'Slow down.', { status: 429, headers: { 'Retry-After': '7', 'RateLimit-Limit': '10' }, fields: { policy_rule: undefined } }));
    expect(got).toEqual({
      status: 429,
      contentType: 'application/json',
      headers: { 'cache-control': 'no-store', 'retry-after': '7', 'ratelimit-limit': '10' },
      body: '{"error":"rate_limited","error_description":"Slow down."}',
    });
  });

  it('logs debug and cause, never sends them', async () => {
    const logs = captureLogs();
    try {
      const got = await wire(new ResourceRefusal('temporarily_unavailable', 'Try later.', { status: 503, debug: 'secret detail', cause: new Error('db down') }));
      expect(got.body).toBe('{"error":"temporarily_unavailable","error_description":"Try later."}');
    } finally {
      logs.restore();
    }
    expect(logs.entries()).toHaveLength(1);
    expect(logs.entries()[0]).toMatchObject({ level: 'error', component: 'resource', msg: 'refused', error_code: 'temporarily_unavailable', debug: 'secret detail', err: { message: 'db down' } });
  });
});
