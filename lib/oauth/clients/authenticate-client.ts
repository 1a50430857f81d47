// Client authentication at the token, PAR, introspection and revocation endpoints (RFC 6749
// §2.3): `client_secret_basic`, `client_secret_post`, `private_key_jwt` (RFC 7523), or `none`
// (public clients send only client_id).
// A client must use the method it registered, and only one method per request.
import 'server-only';
import { db } from '@/lib/db/client';
import { cached } from '@/lib/cache/hot-cache';
import { OAuthError } from '@/lib/oauth/errors';
import type { OAuthParams } from '@/lib/oauth/read-form';
import { matchesHash } from '@/lib/tokens/opaque-token';
import { assertedClientId, JWT_BEARER_ASSERTION, verifyClientAssertion } from '@/lib/oauth/clients/verify-client-assertion';
import { isMetadataDocumentClientId, MetadataDocumentError, resolveMetadataDocumentClient } from '@/lib/oauth/clients/resolve-metadata-document-client';
import type { MachineRequest } from '@/lib/http/machine-request';

export type AuthenticatedClient = {
  id: string;
  clientId: string;
  name: string;
  grantTypes: string[];
  scopes: string[];
  method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  confidential: boolean;
};

// RFC 6749 §5.2: a client that tried the Authorization header gets 401 with a challenge.
const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="leash", charset="UTF-8"' };

export function invalidClient(usedBasic: boolean, description = 'Client authentication failed.') {
  return new OAuthError('invalid_client', description, { status: 401, headers: usedBasic ? BASIC_CHALLENGE : {} });
}

function parseBasic(header: string): { clientId: string; secret: string } | null {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    // §2.3.1: both parts are form-urlencoded before being joined.
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    return null;
  }
}

/** The credentials a request presents, in whichever one method it used (RFC 6749 §2.3). */
export type PresentedCredentials = {
  clientId: string | undefined;
  method: AuthenticatedClient['method'];
  secret: string | undefined;
  assertion: string | undefined;
  usedBasic: boolean;
};

/**
 * Reads the client credentials of a request: Basic, client_secret in the body, a client assertion
 * (RFC 7523), or a bare client_id. More than one method, a malformed header or an assertion of the
 * wrong type is refused here, before anything is looked up. Shared with the resource servers'
 * authentication (lib/oauth/clients/authenticate-resource-server.ts).
 */
export function readPresentedCredentials(request: MachineRequest, params: OAuthParams): PresentedCredentials {
  const header = request.headers.get('authorization');
  const basic = header?.toLowerCase().startsWith('basic ') ? parseBasic(header) : null;
  if (header?.toLowerCase().startsWith('basic ') && !basic) throw invalidClient(true, 'Malformed Basic credentials.');
  const bodySecret = params.get('client_secret');
  const bodyId = params.get('client_id');
  const assertionType = params.get('client_assertion_type');
  const assertion = params.get('client_assertion');
  if ([basic, bodySecret, assertion].filter(Boolean).length > 1) {
    throw new OAuthError('invalid_request', 'Use only one client authentication method.');
  }
  if (assertion || assertionType) {
    if (assertionType !== JWT_BEARER_ASSERTION || !assertion) {
      throw new OAuthError('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}, with client_assertion.`);
    }
    const clientId = assertedClientId(assertion);
    if (!clientId || (bodyId && bodyId !== clientId)) throw invalidClient(false, 'The client assertion does not name this client.');
    return { clientId, method: 'private_key_jwt', secret: undefined, assertion, usedBasic: false };
  }
  if (basic && bodyId && bodyId !== basic.clientId) {
    throw new OAuthError('invalid_request', 'client_id in the body does not match the Authorization header.');
  }
  return {
    clientId: basic?.clientId ?? bodyId,
    method: basic ? 'client_secret_basic' : bodySecret ? 'client_secret_post' : 'none',
    secret: basic?.secret ?? bodySecret,
    assertion: undefined,
    usedBasic: Boolean(basic),
  };
}

export async function authenticateClient(request: MachineRequest, params: OAuthParams): Promise<AuthenticatedClient> {
  const presented = readPresentedCredentials(request, params);
  if (presented.assertion) return authenticateWithAssertion(presented.assertion, presented.clientId!);
  const { clientId, method } = presented;
  const basic = presented.usedBasic;
  if (!clientId) throw invalidClient(false, 'Client authentication is required.');
  if (method === 'none' && isMetadataDocumentClientId(clientId)) {
    // A metadata-document client may reach the back channel first (PAR): resolve it the same way.
    try {
      await resolveMetadataDocumentClient(clientId, 'back-channel');
    } catch (error) {
      if (error instanceof MetadataDocumentError) throw invalidClient(false, error.message);
      throw error;
    }
  }

  const found = cached(
    'client',
    clientId,
    () => loadClient(clientId),
    (a) => [a.id],
  );
  const agent = found instanceof Promise ? await found : found;
  const secret = presented.secret;
  // Compare even for unknown clients, so timing does not tell which client_ids exist.
  const secretOk = secret !== undefined && matchesHash(secret, agent?.clientSecretHash ?? null);
  if (!agent) throw invalidClient(Boolean(basic));
  if (agent.tokenEndpointAuthMethod !== method) {
    throw invalidClient(Boolean(basic), `This client must authenticate with ${agent.tokenEndpointAuthMethod}.`);
  }
  if (method !== 'none' && !secretOk) throw invalidClient(Boolean(basic));
  if (agent.status !== 'ACTIVE') throw invalidClient(Boolean(basic), 'This client is suspended.');
  return toClient(agent, method);
}

/**
 * The agent an API key belongs to, as the client of a request that authenticated no client: the
 * key itself is the credential (RFC 8693 §2.1 leaves client authentication optional;
 * lib/oauth/exchange-api-key.ts). A public client (`none`), whatever it registered.
 */
export async function clientOfCredential(agentId: string): Promise<AuthenticatedClient | null> {
  const agent = await db().agent.findUnique({ where: { id: agentId }, select: { id: true, clientId: true, name: true, grantTypes: true, scopes: true } });
  return agent ? toClient(agent, 'none') : null;
}

/** A client by client_id, cached per instance until the agent row changes (lib/cache/hot-cache.ts). */
function loadClient(clientId: string) {
  return db().agent.findUnique({
    where: { clientId },
    select: {
      id: true,
      clientId: true,
      name: true,
      status: true,
      grantTypes: true,
      scopes: true,
      tokenEndpointAuthMethod: true,
      clientSecretHash: true,
    },
  });
}

type AgentRow = { id: string; clientId: string; name: string; grantTypes: string[]; scopes: string[] };

function toClient(agent: AgentRow, method: AuthenticatedClient['method']): AuthenticatedClient {
  return {
    id: agent.id,
    clientId: agent.clientId,
    name: agent.name,
    grantTypes: agent.grantTypes,
    scopes: agent.scopes,
    method,
    confidential: method !== 'none',
  };
}

async function authenticateWithAssertion(assertion: string, clientId: string) {
  const agent = await db().agent.findUnique({
    where: { clientId },
    select: { id: true, clientId: true, name: true, status: true, grantTypes: true, scopes: true, tokenEndpointAuthMethod: true, jwks: true },
  });
  if (!agent || agent.tokenEndpointAuthMethod !== 'private_key_jwt') throw invalidClient(false);
  if (!(await verifyClientAssertion({ assertion, clientId, jwks: agent.jwks }))) {
    throw invalidClient(false, 'The client assertion is invalid, expired or was already used.');
  }
  if (agent.status !== 'ACTIVE') throw invalidClient(false, 'This client is suspended.');
  return toClient(agent, 'private_key_jwt');
}
