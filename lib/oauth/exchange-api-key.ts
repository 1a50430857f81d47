// Token exchange of an agent's API key (issue 15 §4, docs/api-keys.md): RFC 8693 with
// `subject_token` = the key and `subject_token_type` = urn:leash:params:oauth:token-type:api-key.
// No API accepts a key: this is the only thing it is good for, and what it gives is the usual
// short-lived access token, so every call stays per agent, policy-checked and revocable.
// - Client authentication is optional (RFC 8693 §2.1: "client authentication is [...] not
//   required"): an agent that can only send a static key sends the key alone and is the key's
//   agent (`clientForApiKey`). A request that does authenticate a client, or names one with
//   client_id, must be the key's agent (else invalid_grant: the grant is not for this client,
//   RFC 6749 §5.2).
// - The token acts for the person who made the key (`sub`), for the key's agent (`client_id`),
//   under that person's active grant for the agent (the resource server checks its state on every
//   call, so the kill switch stops the token at once); scope: what was asked (or the key's scopes),
//   within the key's scopes and the person's policy as it is now; audience: `resource` (RFC 8707),
//   else Leash's /api; lifetime: the policy's; DPoP-bound when a proof is sent (RFC 9449 §5) and
//   required when the policy says so. No refresh token (§2.2.1): the key is exchanged again.
// - invalid_grant (RFC 8693 §2.2.2, RFC 6749 §5.2) for a key that is malformed, unknown, revoked,
//   expired, used from outside its address ranges, another agent's, or whose agent is stopped or
//   disconnected. Every refusal and every issuance is audited; the issuance row names the key.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { agentConnection } from '@/lib/api-keys/agent-connection';
import { findApiKey, type FoundApiKey } from '@/lib/api-keys/find-api-key';
import { ipInRanges } from '@/lib/api-keys/ip-ranges';
import { tokenPolicy } from '@/lib/oauth/agent-token-policy';
import { checkResources } from '@/lib/oauth/check-resources';
import { clientOfCredential, readPresentedCredentials, type AuthenticatedClient } from '@/lib/oauth/clients/authenticate-client';
import { OAuthError } from '@/lib/oauth/errors';
import { tokenResponse, type GrantContext, type TokenResponse } from '@/lib/oauth/grants/types';
import type { OAuthParams } from '@/lib/oauth/read-form';
import { expandScopes, parseScope } from '@/lib/scopes/scopes';
import { createAccessToken } from '@/lib/tokens/issue-access-token';
import type { MachineRequest } from '@/lib/http/machine-request';

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

type Refusal = { error: OAuthError; reason: string; key: FoundApiKey | null; agentId: string | null; ip: string; scopes?: string[] };

/** Records a refused exchange (group-committed: it changes nothing else), then throws its error. */
async function refuse(refusal: Refusal): Promise<never> {
  await appendAuditEventGrouped({
    action: 'token.exchange',
    decision: 'DENY',
    userId: refusal.key?.userId ?? null,
    agentId: refusal.key?.agentId ?? refusal.agentId,
    scopes: refusal.scopes ?? [],
    ip: refusal.ip,
    reason: `API key exchange refused: ${refusal.reason}`,
    details: { error: refusal.error.code, ...(refusal.key ? { api_key: refusal.key.id } : {}) },
  });
  throw refusal.error;
}

const badKey = () => new OAuthError('invalid_grant', 'The API key is not valid.');

/**
 * The client of a token request that authenticates none and exchanges an API key: the key's agent
 * (RFC 8693 §2.1, client authentication optional). Null when the request authenticates a client
 * (that is checked as usual, then against the key). A key that is no key is refused here.
 */
export async function clientForApiKey(request: MachineRequest, params: OAuthParams, ip: string): Promise<AuthenticatedClient | null> {
  const presented = readPresentedCredentials(request, params);
  if (presented.clientId || presented.secret || presented.assertion) return null;
  const subjectToken = params.get('subject_token');
  if (!subjectToken) throw new OAuthError('invalid_request', 'subject_token and subject_token_type are required (RFC 8693 §2.1).');
  const key = await findApiKey(subjectToken);
  if (!key) return refuse({ error: badKey(), reason: 'not a key Leash issued', key: null, agentId: null, ip });
  const client = await clientOfCredential(key.agentId);
  if (!client) return refuse({ error: badKey(), reason: 'the key’s agent no longer exists', key: null, agentId: null, ip });
  return client;
}

export async function exchangeApiKey({ client, params, ip, dpop }: GrantContext, presented: string): Promise<TokenResponse> {
  // §2.1: actor_token is for delegation; a key stands for its own agent only.
  if (params.get('actor_token') !== undefined || params.get('actor_token_type') !== undefined) {
    throw new OAuthError('invalid_request', 'An API key is exchanged on its own: actor_token is not allowed with it.');
  }
  const requested = parseScope(params.get('scope'));
  const key = await findApiKey(presented);
  const no = (error: OAuthError, reason: string): Promise<never> => refuse({ error, reason, key, agentId: client.id, ip, scopes: requested });
  if (!key) return no(badKey(), 'not a key Leash issued');
  if (key.agentId !== client.id) return no(new OAuthError('invalid_grant', 'This API key was not issued to this client.'), `presented by another client (${client.clientId})`);
  if (key.revokedAt) return no(new OAuthError('invalid_grant', 'The API key was revoked.'), 'the key was revoked');
  if (key.expiresAt <= new Date()) return no(new OAuthError('invalid_grant', 'The API key has expired: make a new one in the dashboard.'), 'the key has expired');
  if (!ipInRanges(ip, key.ipRanges)) {
    return no(
      new OAuthError('invalid_grant', `This API key may not be used from this address (${ip}): it is limited to the address ranges its owner set.`),
      `request from ${ip}, outside the key's address ranges`,
    );
  }
  if (key.agent.status !== 'ACTIVE') return no(new OAuthError('invalid_grant', 'This agent is suspended.'), 'the agent is suspended');
  if (key.user.status !== 'ACTIVE') return no(badKey(), 'the key’s owner can no longer sign in');
  const connection = await agentConnection(db(), { userId: key.userId, agentId: key.agentId });
  if (connection.state === 'suspended') {
    return no(new OAuthError('invalid_grant', 'The user has stopped this agent (kill switch): the key cannot be exchanged until they resume it.'), 'the user stopped this agent');
  }
  if (connection.state === 'revoked') return no(new OAuthError('invalid_grant', "The user revoked this agent's access: the key cannot be used."), "the user revoked the agent's access");
  const { grantId } = connection;

  const policy = await tokenPolicy({ userId: key.userId, agentId: key.agentId, ip });
  if (policy.dpopRequired && !dpop) {
    return no(new OAuthError('invalid_dpop_proof', "The user's policy for this agent requires DPoP-bound tokens (RFC 9449)."), `policy v${policy.version} requires DPoP`);
  }
  // RFC 6749 §3.3 / RFC 8693 §2.2.2: a scope beyond the key is invalid_scope; the policy may since
  // have dropped some of the key's scopes (issued less, and `scope` in the response says so).
  const held = expandScopes(key.scopes);
  const beyond = requested.filter((s) => !held.has(s));
  if (beyond.length) return no(new OAuthError('invalid_scope', `The API key does not cover: ${beyond.join(' ')}`), `scope beyond the key: ${beyond.join(' ')}`);
  const scopes = policy.allowedScopes((requested.length ? requested : key.scopes).filter((s) => s !== 'offline_access'));
  if (!scopes.length) return no(new OAuthError('invalid_scope', "None of these scopes is allowed by the user's policy for this agent."), `policy v${policy.version} allows none of these scopes`);
  // RFC 8707 §2 (and RFC 8693 §2.1 `audience`, read as the same resource URIs): invalid_target for unknown ones.
  const audienceParam = params.get('audience');
  const audience = await checkResources([...params.resources, ...(audienceParam ? [audienceParam] : [])]);

  const issued = await db().$transaction(async (tx) => {
    // The key must still be live when the token is written, and stay so until it commits: a
    // revocation racing with this waits for the row lock, then finds the token (lib/api-keys/revoke-api-keys.ts).
    const live = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM api_keys WHERE id = ${key.id}::uuid AND revoked_at IS NULL AND expires_at > now() FOR SHARE`;
    if (!live.length) return null;
    const access = await createAccessToken(
      tx,
      {
        agentId: key.agentId,
        userId: key.userId,
        grantId,
        scopes,
        audience,
        dpopJkt: dpop?.jkt ?? null,
        policyVersion: policy.version,
        apiKeyId: key.id,
      },
      { grantType: 'token_exchange', ip, ttlSeconds: policy.accessTokenSeconds },
    );
    await tx.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(), lastUsedIp: ip } });
    return access;
  });
  if (!issued) return no(new OAuthError('invalid_grant', 'The API key was revoked.'), 'the key was revoked meanwhile');
  return tokenResponse(issued, { bound: Boolean(dpop), scopes, issuedTokenType: ACCESS_TOKEN_TYPE });
}
