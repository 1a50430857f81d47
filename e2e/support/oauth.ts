// Helpers for black-box protocol tests: register agents over DCR, call the token endpoint.
import crypto from 'node:crypto';
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

export async function clientCredentialsToken(request: APIRequestContext, client: RegisteredClient, form: Record<string, string> = {}): Promise<string> {
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

export function pkce(): { verifier: string; challenge: string } {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
}

export const AGENT_CALLBACK = 'https://agent.example/callback';

/** A public agent (no secret) using the authorization code flow with refresh tokens. */
export function registerPublicAgent(request: APIRequestContext, extra: Record<string, unknown> = {}) {
  return registerClient(request, {
    client_name: 'Research assistant',
    redirect_uris: [AGENT_CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
    ...extra,
  });
}

export type AuthorizeParams = Record<string, string | string[]>;

export function authorizeUrl(baseURL: string, params: AuthorizeParams): string {
  const url = new URL('/oauth/authorize', baseURL);
  for (const [k, v] of Object.entries(params)) for (const value of [v].flat()) url.searchParams.append(k, value);
  return url.toString();
}

/**
 * The whole front channel over HTTP, as a signed-in browser would do it: authorize → consent
 * screen (its consent token) → decision. `request` must carry a signed-in session.
 */
export async function authorizeOverHttp(
  request: APIRequestContext,
  baseURL: string,
  params: AuthorizeParams,
  decision: { decision?: 'allow' | 'deny'; scopes?: string[]; remember?: boolean } = {},
): Promise<URL> {
  const start = await request.get(authorizeUrl(baseURL, params), { maxRedirects: 0 });
  expect(start.status(), await start.text()).toBe(303);
  const consentPath = new URL(start.headers()['location']!).pathname;
  const page = await request.get(consentPath, { maxRedirects: 0 });
  if (page.status() === 307) return new URL(page.headers()['location']!); // remembered or prompt=none
  const html = await page.text();
  const token = /name="consent_token" value="([^"]+)"/.exec(html)?.[1];
  expect(token, 'consent token on the consent page').toBeTruthy();
  const requested = String(params.scope ?? '')
    .split(' ')
    .filter(Boolean);
  const answer = await request.post(`/api/consent${consentPath.slice('/consent'.length)}`, {
    headers: { Origin: new URL(baseURL).origin },
    data: {
      decision: decision.decision ?? 'allow',
      scopes: decision.scopes ?? requested,
      remember: decision.remember ?? false,
      consent_token: token,
    },
  });
  expect(answer.status(), await answer.text()).toBe(200);
  return new URL((await answer.json()).redirect_to);
}

export function exchangeCode(request: APIRequestContext, client: RegisteredClient, code: string, verifier: string, extra: Record<string, string> = {}) {
  return request.post('/oauth/token', {
    form: { grant_type: 'authorization_code', client_id: client.client_id, code, code_verifier: verifier, redirect_uri: AGENT_CALLBACK, ...extra },
  });
}
