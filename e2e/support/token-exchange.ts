// Token exchange (RFC 8693) for tests: an actor agent with its own client-credentials token, and
// the exchange request it makes for a subject token; an agent narrowing its own token (no actor).
import { expect, type APIRequestContext } from '@playwright/test';
import { delegatedToken } from './delegation';
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

/**
 * A confidential agent a fresh user connected through the code flow (so it can introspect its own
 * tokens), registered for token exchange: it can narrow the token it got.
 */
export function narrowingAgent(request: APIRequestContext, baseURL: string, scope: string, extra: Record<string, string | string[]> = {}) {
  return delegatedToken(request, baseURL, scope, extra, {
    registration: { token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE] },
  });
}

type Agent = { clientId: string; clientSecret?: string };
const credentials = (agent: Agent) => ({ client_id: agent.clientId, ...(agent.clientSecret ? { client_secret: agent.clientSecret } : {}) });

/** Token exchange without an actor (RFC 8693): the agent narrows one of its own tokens. */
export function narrow(request: APIRequestContext, agent: Agent, form: Record<string, string>, headers: Record<string, string> = {}) {
  return request.post('/oauth/token', { headers, form: { grant_type: TOKEN_EXCHANGE, subject_token_type: ACCESS, ...credentials(agent), ...form } });
}

/** RFC 7662 introspection by the agent itself (client_secret_post). */
export async function introspect(request: APIRequestContext, agent: Agent, token: string) {
  const response = await request.post('/oauth/introspect', { form: { ...credentials(agent), token } });
  expect(response.status()).toBe(200);
  return response.json();
}
