// POST /oauth/token (RFC 6749 §3.2): reads the form, authenticates the client, finds the grant by
// `grant_type`, checks the client may use it, and answers with the token response or the error.
import 'server-only';
import { authenticateClient } from '@/lib/oauth/clients/authenticate-client';
import { OAuthError, oauthErrorResponse, oauthJson } from '@/lib/oauth/errors';
import { findGrant } from '@/lib/oauth/grants/registry';
import { readOAuthForm } from '@/lib/oauth/read-form';
import { clientIp } from '@/lib/http/client-ip';
import { limitTokenRequestByClient, limitTokenRequestByIp } from '@/lib/oauth/rate-limits';
import { currentDpopNonce } from '@/lib/oauth/dpop/verify-dpop-proof';
import { readDpopProof } from '@/lib/oauth/dpop/read-dpop-proof';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { emitEvent } from '@/lib/events/leash-events';


export async function handleToken(request: Request): Promise<Response> {
  try {
    const ip = clientIp(request.headers);
    await limitTokenRequestByIp(ip);
    const params = await readOAuthForm(request);
    const grantType = params.get('grant_type');
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required.');
    // The proof first (RFC 9449 §5): a missing or stale nonce is answered before anything else.
    const dpop = await readDpopProof(request);
    const client = await authenticateClient(request, params);
    await limitTokenRequestByClient(client.id).catch(async (error: unknown) => {
      // A refused flood is a decision too: audited (group-committed), then told to the alert rules.
      await appendAuditEventGrouped({ action: 'token.flood', decision: 'DENY', agentId: client.id, ip, reason: 'too many token requests for this client' });
      void emitEvent('token.flooded', { agentId: client.id });
      throw error;
    });
    const grant = findGrant(grantType);
    if (!grant) throw new OAuthError('unsupported_grant_type', `Unsupported grant_type: ${grantType}`);
    if (!client.grantTypes.includes(grantType)) {
      throw new OAuthError('unauthorized_client', `This client is not registered for ${grantType}.`);
    }
    const response = oauthJson(await grant.handle({ client, params, ip, dpop }));
    if (dpop) response.headers.set('DPoP-Nonce', currentDpopNonce());
    return response;
  } catch (error) {
    return oauthErrorResponse(error);
  }
}
