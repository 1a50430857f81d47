// Token exchange (RFC 8693) for tests: an actor agent with its own client-credentials token, and
// the exchange request it makes for a subject token.
import type { APIRequestContext } from '@playwright/test';
import { basic, clientCredentialsToken, registerMachineClient, type RegisteredClient } from './oauth';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';

export async function actorAgent(request: APIRequestContext, name: string) {
  const client = await registerMachineClient(request, { client_name: name, grant_types: ['client_credentials', TOKEN_EXCHANGE], scope: 'datasets:read reports:read reports:write' });
  return { client, token: await clientCredentialsToken(request, client, { scope: 'datasets:read' }) };
}

export function exchange(request: APIRequestContext, actor: { client: RegisteredClient; token: string }, form: Record<string, string>) {
  return request.post('/oauth/token', {
    headers: { Authorization: basic(actor.client.client_id, actor.client.client_secret!) },
    form: { grant_type: TOKEN_EXCHANGE, subject_token_type: ACCESS, actor_token: actor.token, actor_token_type: ACCESS, ...form },
  });
}
