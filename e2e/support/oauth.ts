// Helpers for black-box protocol tests: register agents over DCR, call the token endpoint.
import { expect, type APIRequestContext } from '@playwright/test';
import { uniqueIp } from './accounts';

export type RegisteredClient = { client_id: string; client_secret?: string; [key: string]: unknown };

export async function registerClient(request: APIRequestContext, metadata: Record<string, unknown>): Promise<RegisteredClient> {
  // Each registration from its own address, so the per-IP registration limit is not shared.
  const response = await request.post('/oauth/register', { data: metadata, headers: { 'X-Forwarded-For': uniqueIp() } });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as RegisteredClient;
}

export function registerMachineClient(request: APIRequestContext, extra: Record<string, unknown> = {}) {
  return registerClient(request, {
    client_name: 'Nightly report bot',
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'datasets:read reports:read reports:write',
    ...extra,
  });
}

export function basic(clientId: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s);
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}

export async function clientCredentialsToken(
  request: APIRequestContext,
  client: RegisteredClient,
  form: Record<string, string> = {},
): Promise<string> {
  const response = await request.post('/oauth/token', {
    headers: { Authorization: basic(client.client_id, client.client_secret!) },
    form: { grant_type: 'client_credentials', ...form },
  });
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()).access_token;
}

/** Posts a raw urlencoded body (repeated parameters, odd encodings). */
export function postRaw(request: APIRequestContext, path: string, body: string, headers: Record<string, string> = {}) {
  return request.post(path, {
    data: Buffer.from(body),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  });
}

export function expectNoStore(headers: Record<string, string>) {
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['pragma']).toBe('no-cache');
}
