// POST /oauth/token (RFC 6749 §3.2): reads the form, authenticates the client, finds the grant by
// `grant_type`, checks the client may use it, and answers with the token response or the error.
import 'server-only';
import { OAuthError, oauthJson } from '@/lib/oauth/errors';
import { findGrant } from '@/lib/oauth/grants/registry';
import { clientOfApiKeyExchange } from '@/lib/oauth/grants/token-exchange';
import { currentDpopNonce } from '@/lib/oauth/dpop/verify-dpop-proof';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { emitEvent } from '@/lib/events/leash-events';
import { oauthEndpoint } from '@/lib/endpoints/oauth-endpoint';
import type { AuthenticatedClient } from '@/lib/oauth/clients/authenticate-client';

/** A refused flood is a decision too: audited (group-committed), then told to the alert rules (lib/events). */
async function floodRefused(client: AuthenticatedClient, ip: string): Promise<void> {
  await appendAuditEventGrouped({ action: 'token.flood', decision: 'DENY', agentId: client.id, ip, reason: 'too many token requests for this client' });
  void emitEvent('token.flooded', { agentId: client.id });
}

// An API key exchange may authenticate no client: the key names its agent (RFC 8693 §2.1).
const pipeline = { ipLimit: true, require: ['grant_type'], dpop: true, clientLimit: floodRefused, clientOfGrant: clientOfApiKeyExchange } as const;

export const handleToken = oauthEndpoint(pipeline, async ({ params, client, ip, dpop }) => {
  const grantType = params.get('grant_type')!;
  const grant = findGrant(grantType);
  if (!grant) throw new OAuthError('unsupported_grant_type', `Unsupported grant_type: ${grantType}`);
  if (!client.grantTypes.includes(grantType) && (grant.registrationRequired?.(params) ?? true)) {
    throw new OAuthError('unauthorized_client', `This client is not registered for ${grantType}.`);
  }
  const response = oauthJson(await grant.handle({ client, params, ip, dpop }));
  // Issued, its row committed: the metrics listen (lib/events).
  void emitEvent('token.issued', { grantType });
  if (dpop) response.headers.set('DPoP-Nonce', currentDpopNonce());
  return response;
});
