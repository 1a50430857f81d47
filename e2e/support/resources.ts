// Protected resources for tests (issue 14): the demo administrator registers an API through the
// documented admin API, and gets its resource-server credentials back. Every registration has its
// own identifier and scope names (scopes are unique across registered APIs).
import crypto from 'node:crypto';
import { expect, request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import { DEMO, sameOrigin, signInOverHttp, uniqueIp } from './accounts';

export type ResourceInput = {
  identifier?: string;
  name?: string;
  description?: string;
  scopes?: { name: string; description: string; risk: 'low' | 'medium' | 'high' }[];
  actions?: { name: string; scope: string; risk: 'low' | 'medium' | 'high'; description: string }[];
  tokenFormat?: 'opaque' | 'jwt';
  authMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  jwks?: { keys: Record<string, unknown>[] };
};

export type RegisteredResource = {
  id: string;
  identifier: string;
  clientId: string;
  clientSecret: string | undefined;
  /** The scope names, in the order given. */
  scopes: string[];
  metadataUrl: string;
};

/** A request context signed in as the seeded demo account, which is an administrator. */
export async function adminContext(baseURL: string): Promise<APIRequestContext> {
  const admin = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: sameOrigin(baseURL) });
  const signIn = await signInOverHttp(admin, baseURL, DEMO, uniqueIp());
  expect(signIn.error).toBeNull();
  return admin;
}

/** A short random lower-case word, for identifiers and scope areas no other test uses. */
export function uniqueWord(label: string): string {
  return `${label}${crypto.randomBytes(4).toString('hex')}`;
}

/** The input of a typical registration: an orders API with a read and a write scope and two actions. */
export function ordersApi(overrides: ResourceInput = {}): Required<Pick<ResourceInput, 'identifier' | 'name' | 'scopes' | 'actions'>> & ResourceInput {
  const area = uniqueWord('orders');
  return {
    identifier: `https://${area}.example.com/api`,
    name: 'Orders API',
    scopes: [
      { name: `${area}:read`, description: 'Read your orders', risk: 'low' },
      { name: `${area}:write`, description: 'Place and cancel orders', risk: 'high' },
    ],
    actions: [
      { name: `${area}.list`, scope: `${area}:read`, risk: 'low', description: 'List orders' },
      { name: `${area}.place`, scope: `${area}:write`, risk: 'high', description: 'Place an order' },
    ],
    ...overrides,
  };
}

/** Registers an API as the administrator; fails the test unless it answers 201. */
export async function registerResource(admin: APIRequestContext, input: ResourceInput = {}): Promise<RegisteredResource> {
  const body = { ...ordersApi(), ...input };
  const response = await admin.post('/api/admin/resources', { data: body });
  expect(response.status(), await response.text()).toBe(201);
  const json = (await response.json()) as { resource: { id: string; identifier: string; metadataUrl: string; scopes: { name: string }[] }; client_id: string; client_secret?: string };
  return {
    id: json.resource.id,
    identifier: json.resource.identifier,
    clientId: json.client_id,
    clientSecret: json.client_secret,
    scopes: json.resource.scopes.map((s) => s.name),
    metadataUrl: json.resource.metadataUrl,
  };
}
