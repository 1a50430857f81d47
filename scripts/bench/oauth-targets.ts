// Part of `npm run bench`: the OAuth targets measured on Leash and on both node-oidc-provider peers
// alike (the token endpoint, introspection of a Bearer and of a DPoP-bound token).
import type { DpopKey } from './dpop-proof';
import type { Target } from './load';

const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** One side's token and introspection endpoints, its client's Authorization header and token request body. */
export type OAuthEndpoints = { token: string; introspect: string; authorization: string; body: string };

async function tokenResponse(response: Response): Promise<{ access_token: string; token_type: string }> {
  if (response.status !== 200) throw new Error(`${response.url}: token request answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { access_token: string; token_type: string };
}

export async function bearerToken(o: OAuthEndpoints): Promise<string> {
  return (await tokenResponse(await fetch(o.token, { method: 'POST', headers: { ...form, Authorization: o.authorization }, body: o.body }))).access_token;
}

/** A DPoP-bound token from the token endpoint (RFC 9449 §5), with one retry when the server asks for a nonce (§8). */
export async function dpopBoundToken(o: OAuthEndpoints, key: DpopKey): Promise<string> {
  const request = (nonce?: string) => fetch(o.token, { method: 'POST', headers: { ...form, Authorization: o.authorization, DPoP: key.proof('POST', o.token, undefined, nonce) }, body: o.body });
  let response = await request();
  const nonce = response.headers.get('dpop-nonce');
  if (response.status === 400 && nonce) response = await request(nonce);
  const answer = await tokenResponse(response);
  if (answer.token_type !== 'DPoP') throw new Error(`${o.token}: a DPoP proof gave a ${answer.token_type} token`);
  return answer.access_token;
}

/** Introspection of `token` by its own client; verified active before and after the rounds (RFC 7662 §2.2). */
export function introspection(o: OAuthEndpoints, token: string): Target {
  const target: Target = { url: o.introspect, method: 'POST', headers: { ...form, Authorization: o.authorization }, body: `token=${token}` };
  return {
    ...target,
    verify: async () => {
      const answer = (await (await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body })).json()) as { active?: boolean };
      if (answer.active !== true) throw new Error(`${o.introspect}: the introspected token is not active`);
    },
  };
}
