// GET | PUT | DELETE /oauth/register/:client_id (RFC 7592): a DCR client reads, replaces or
// deletes its own registration with the registration access token it was given. Deleting revokes
// every token and grant it holds and disables the client_id; the record stays for the audit log.
import 'server-only';
import { db } from '@/lib/db/client';
import { forgettingAfter } from '@/lib/cache/hot-cache';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { describeRegistration, managementUri, parseClientMetadata } from '@/lib/oauth/clients/register-client';
import { OAuthError, oauthErrorResponse, oauthJson, NO_STORE } from '@/lib/oauth/errors';
import { clientIp } from '@/lib/http/client-ip';
import { matchesHash } from '@/lib/tokens/opaque-token';
import { revokeTokens } from '@/lib/tokens/revoke-tokens';
import { readClientMetadataText } from '@/lib/endpoints/oauth/register';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="leash", error="invalid_token"' };

async function authorize(request: Request, clientId: string) {
  const presented = /^Bearer (\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  const agent = await db().agent.findUnique({ where: { clientId } });
  // §2: an unknown client and a wrong token look the same (401), so client_ids cannot be probed.
  const ok = presented !== undefined && matchesHash(presented, agent?.registrationAccessTokenHash ?? null);
  if (!agent || !ok || agent.registration !== 'DCR' || agent.status !== 'ACTIVE') {
    throw new OAuthError('invalid_token', 'The registration access token is missing or invalid.', { headers: CHALLENGE });
  }
  return agent;
}

export async function handleClientConfiguration(request: Request, clientId: string): Promise<Response> {
  try {
    const agent = await authorize(request, clientId);
    const ip = clientIp(request.headers);
    const current = agent.metadata as Record<string, unknown>;
    if (request.method === 'GET') return oauthJson({ ...current, registration_client_uri: managementUri(clientId) });

    if (request.method === 'DELETE') {
      await forgettingAfter(
        db().$transaction(async (tx) => {
          const now = new Date();
          await revokeTokens(tx, { agent: agent.id }, 'client deleted (RFC 7592)');
          await tx.grant.updateMany({ where: { agentId: agent.id, status: 'ACTIVE' }, data: { status: 'REVOKED', revokedAt: now } });
          await tx.agent.update({
            where: { id: agent.id },
            data: { status: 'SUSPENDED', clientSecretHash: null, registrationAccessTokenHash: null },
          });
          await appendAuditEvent(tx, { action: 'client.delete', decision: 'ALLOW', agentId: agent.id, ip, reason: 'deleted by the client (RFC 7592 §2.3)' });
        }),
      );
      return new Response(null, { status: 204, headers: NO_STORE });
    }

    // PUT (§2.2): the whole metadata is replaced; client_id must match; a secret, if sent, must be the current one.
    if (!/^application\/json\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) {
      throw new OAuthError('invalid_client_metadata', 'Send the client metadata as application/json.');
    }
    const text = await readClientMetadataText(request);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      throw new OAuthError('invalid_client_metadata', 'The body is not valid JSON.');
    }
    if (!body || typeof body !== 'object' || body.client_id !== clientId) {
      throw new OAuthError('invalid_request', 'The body must carry this client_id.');
    }
    if (typeof body.client_secret === 'string' && !matchesHash(body.client_secret, agent.clientSecretHash)) {
      throw new OAuthError('invalid_request', 'client_secret does not match.');
    }
    const { client_id: _id, client_secret: _secret, registration_access_token: _rat, registration_client_uri: _uri, client_id_issued_at: _at, client_secret_expires_at: _exp, ...metadata } = body;
    const m = await parseClientMetadata(metadata);
    const usesSecret = m.token_endpoint_auth_method === 'client_secret_basic' || m.token_endpoint_auth_method === 'client_secret_post';
    if (usesSecret !== Boolean(agent.clientSecretHash)) {
      throw new OAuthError('invalid_client_metadata', 'token_endpoint_auth_method cannot switch between secret and non-secret methods.');
    }
    const { registered, columns } = describeRegistration(m, clientId, Number(current.client_id_issued_at ?? 0));
    await forgettingAfter(
      db().$transaction(async (tx) => {
        await tx.agent.update({ where: { id: agent.id }, data: columns });
        await appendAuditEvent(tx, { action: 'client.update', decision: 'ALLOW', agentId: agent.id, ip, reason: 'registration updated (RFC 7592 §2.2)' });
      }),
    );
    return oauthJson({ ...registered, registration_client_uri: managementUri(clientId) });
  } catch (error) {
    return oauthErrorResponse(error);
  }
}
