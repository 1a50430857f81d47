// POST /oauth/register: Dynamic Client Registration (RFC 7591). An agent describes itself and
// gets a client_id (and a client_secret, shown once, if it is confidential), plus a registration
// access token to read, update or delete its registration later (RFC 7592). Every change is
// audited in the same transaction.
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { clientMetadataSchema, type ClientMetadata } from '@/lib/oauth/clients/client-metadata';
import { OAuthError } from '@/lib/oauth/errors';
import { supportedGrantTypes } from '@/lib/oauth/grants/registry';
import { parseScope, SUPPORTED_SCOPES } from '@/lib/scopes/scopes';
import { hashToken, mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import type { Prisma } from '@/lib/generated/prisma/client';
import { knownScopeNames } from '@/lib/protected-resources/registry';

/** Scopes a registration names that neither Leash nor any registered API defines. */
export async function unknownScopes(scope: string | undefined): Promise<string[]> {
  if (!scope) return [];
  const known = await knownScopeNames();
  return parseScope(scope).filter((s) => !known.has(s));
}

/** Parses registration metadata into the RFC 7591 §3.2.2 error the first problem calls for. */
export async function parseClientMetadata(input: unknown): Promise<ClientMetadata> {
  const parsed = clientMetadataSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'metadata');
    const code = field === 'redirect_uris' ? 'invalid_redirect_uri' : 'invalid_client_metadata';
    throw new OAuthError(code, `${field}: ${issue.message}`);
  }
  const unsupported = parsed.data.grant_types.filter((g) => !supportedGrantTypes().includes(g));
  if (unsupported.length) {
    throw new OAuthError('invalid_client_metadata', `grant_types: not supported here: ${unsupported.join(' ')}`);
  }
  const unknown = await unknownScopes(parsed.data.scope);
  if (unknown.length) throw new OAuthError('invalid_client_metadata', `scope: unknown scope: ${unknown.join(' ')}`);
  return parsed.data;
}

/** The registered metadata as returned to the client, and the agent columns it maps to. */
export function describeRegistration(m: ClientMetadata, clientId: string, issuedAt: number) {
  const scopes = m.scope ? parseScope(m.scope) : [...SUPPORTED_SCOPES];
  const registered = {
    client_id: clientId,
    client_id_issued_at: issuedAt,
    redirect_uris: m.redirect_uris ?? [],
    token_endpoint_auth_method: m.token_endpoint_auth_method,
    grant_types: m.grant_types,
    response_types: m.response_types,
    application_type: m.application_type,
    scope: scopes.join(' '),
    ...(m.client_name ? { client_name: m.client_name } : {}),
    ...(m.client_uri ? { client_uri: m.client_uri } : {}),
    ...(m.logo_uri ? { logo_uri: m.logo_uri } : {}),
    ...(m.tos_uri ? { tos_uri: m.tos_uri } : {}),
    ...(m.policy_uri ? { policy_uri: m.policy_uri } : {}),
    ...(m.contacts ? { contacts: m.contacts } : {}),
    ...(m.software_id ? { software_id: m.software_id } : {}),
    ...(m.software_version ? { software_version: m.software_version } : {}),
    ...(m.jwks ? { jwks: m.jwks } : {}),
  };
  const columns = {
    name: m.client_name ?? 'Unnamed agent',
    logoUri: m.logo_uri ?? null,
    clientUri: m.client_uri ?? null,
    redirectUris: registered.redirect_uris,
    grantTypes: m.grant_types,
    scopes,
    tokenEndpointAuthMethod: m.token_endpoint_auth_method,
    jwks: (m.jwks as Prisma.InputJsonObject | undefined) ?? undefined,
    metadata: registered as Prisma.InputJsonObject,
  };
  return { registered, columns };
}

export function managementUri(clientId: string): string {
  return `${getConfig().issuer}/oauth/register/${encodeURIComponent(clientId)}`;
}

export async function registerClient(options: { metadata: unknown; ip: string }) {
  const m = await parseClientMetadata(options.metadata);
  // Only the secret-based methods get a secret; private_key_jwt clients prove themselves with keys.
  const usesSecret = m.token_endpoint_auth_method === 'client_secret_basic' || m.token_endpoint_auth_method === 'client_secret_post';
  const clientId = `agent_${crypto.randomBytes(16).toString('base64url')}`;
  const clientSecret = usesSecret ? mintToken(TOKEN_PREFIX.clientSecret) : undefined;
  const registrationToken = mintToken(TOKEN_PREFIX.registrationAccessToken);
  const { registered, columns } = describeRegistration(m, clientId, Math.floor(Date.now() / 1000));
  await db().$transaction(async (tx) => {
    const agent = await tx.agent.create({
      data: {
        clientId,
        registration: 'DCR',
        ...columns,
        clientSecretHash: clientSecret ? hashToken(clientSecret) : null,
        registrationAccessTokenHash: hashToken(registrationToken),
      },
      select: { id: true },
    });
    await appendAuditEvent(tx, {
      action: 'client.register',
      decision: 'ALLOW',
      agentId: agent.id,
      ip: options.ip,
      reason: 'dynamic client registration (RFC 7591)',
      details: { client_id: clientId, grant_types: m.grant_types, token_endpoint_auth_method: m.token_endpoint_auth_method },
    });
  });
  return {
    ...registered,
    ...(clientSecret ? { client_secret: clientSecret, client_secret_expires_at: 0 } : {}),
    registration_access_token: registrationToken,
    registration_client_uri: managementUri(clientId),
  };
}
