// Steps 1, 2 and 4 of every agent call: the bearer token from the Authorization header only
// (RFC 6750 §2.1; never the query string), looked up by hash; unexpired and unrevoked; meant for
// this resource (RFC 8707 audience); its agent and user not suspended. Refusals are 401 challenges
// pointing at the resource metadata (RFC 9728), each recorded.
import 'server-only';
import { bearerChallenge, resourceUri, type ResourceName } from '@/lib/resource/challenge';
import { recordRefusal, type CallContext } from '@/lib/resource/call-context';
import { findToken, type FoundToken } from '@/lib/tokens/find-token';

export async function authenticateBearer(
  call: CallContext,
  resource: ResourceName,
  audit: { action: string; scopes: string[] },
): Promise<{ token: FoundToken } | { refused: Response }> {
  const refuse = async (response: Response, reason: string, token: FoundToken | null) => ({
    refused: await recordRefusal(call, { response, reason, token, ...audit }),
  });
  const header = call.request.headers.get('authorization');
  if (!header) return refuse(bearerChallenge(resource, 401), 'no bearer token', null);
  const presented = /^Bearer ([\x21-\x7e]+)$/i.exec(header.trim())?.[1];
  if (!presented) {
    return refuse(bearerChallenge(resource, 401, { code: 'invalid_request', description: 'Malformed Authorization header.' }), 'malformed Authorization header', null);
  }
  const token = await findToken(presented);
  const invalid = (description: string, found: FoundToken | null) =>
    refuse(bearerChallenge(resource, 401, { code: 'invalid_token', description }), description, found);
  if (!token || token.kind !== 'ACCESS') return invalid('The access token is unknown.', null);
  if (token.revokedAt) return invalid('The access token was revoked.', token);
  if (token.expiresAt <= new Date()) return invalid('The access token has expired.', token);
  if (!token.audience.includes(resourceUri(resource))) return invalid('The access token is not for this resource.', token);
  if (token.agent.status !== 'ACTIVE') return invalid('The agent is suspended.', token);
  if (token.grant && token.grant.status !== 'ACTIVE') return invalid('The user suspended or disconnected this agent.', token);
  if (token.user && token.user.status !== 'ACTIVE') return invalid('The user account is suspended.', token);
  return { token };
}
