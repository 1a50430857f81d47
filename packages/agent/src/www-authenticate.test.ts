import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate, readRefusal } from './www-authenticate';

describe('parseWwwAuthenticate (RFC 9110 §11.6.1)', () => {
  it('reads the challenges Leash sends: bearer with resource_metadata, DPoP with algs, step-up', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="leash", resource_metadata="http://localhost:3000/.well-known/oauth-protected-resource/api", error="insufficient_scope", error_description="Needs \\"reports:write\\", sorry", scope="reports:write"',
      ),
    ).toEqual([
      {
        scheme: 'Bearer',
        params: {
          realm: 'leash',
          resource_metadata: 'http://localhost:3000/.well-known/oauth-protected-resource/api',
          error: 'insufficient_scope',
          error_description: 'Needs "reports:write", sorry',
          scope: 'reports:write',
        },
      },
    ]);
    expect(parseWwwAuthenticate('DPoP realm="leash", algs="ES256 EdDSA", error="use_dpop_nonce"')).toEqual([
      { scheme: 'DPoP', params: { realm: 'leash', algs: 'ES256 EdDSA', error: 'use_dpop_nonce' } },
    ]);
  });

  it('splits several challenges, takes unquoted values, and ignores junk', () => {
    expect(parseWwwAuthenticate('Basic, Bearer error=invalid_token, DPoP algs="ES256"')).toEqual([
      { scheme: 'Basic', params: {} },
      { scheme: 'Bearer', params: { error: 'invalid_token' } },
      { scheme: 'DPoP', params: { algs: 'ES256' } },
    ]);
    expect(parseWwwAuthenticate(null)).toEqual([]);
    expect(parseWwwAuthenticate('=,,"')).toEqual([]);
  });
});

describe('readRefusal', () => {
  it('reads approval_required from the body, with where to ask', async () => {
    const response = Response.json(
      { error: 'approval_required', error_description: 'needs approval', required_scope: 'payments:write', backchannel_authentication_endpoint: 'https://l.example/oauth/bc-authorize' },
      { status: 403 },
    );
    expect(await readRefusal(response)).toMatchObject({ status: 403, error: 'approval_required', required_scope: 'payments:write' });
    expect(await response.json()).toMatchObject({ error: 'approval_required' }); // the body is still there for the caller
  });

  it('falls back to the challenge, and is null for answers that are not refusals', async () => {
    const challengeOnly = new Response('nope', { status: 401, headers: { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce", error_description="Use the nonce"' } });
    expect(await readRefusal(challengeOnly)).toMatchObject({ error: 'use_dpop_nonce', error_description: 'Use the nonce' });
    expect(await readRefusal(Response.json({ error: 'not_found' }, { status: 404 }))).toBeNull();
    expect(await readRefusal(new Response('', { status: 401 }))).toBeNull();
  });
});
