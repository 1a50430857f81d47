// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a client_id that
// is an https URL names a JSON document, served there by the agent's owner, describing the agent.
// We fetch it safely (lib/http/safe-fetch.ts), insist its client_id is exactly the URL, validate
// it like a registration, and keep it as the agent record (verified by its domain) until its HTTP
// cache lifetime runs out.
import 'server-only';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { clientMetadataSchema } from '@/lib/oauth/clients/client-metadata';
import { unknownScopes } from '@/lib/oauth/clients/register-client';
import { safeFetchJson, UnsafeFetchError } from '@/lib/http/safe-fetch';
import { parseScope, SUPPORTED_SCOPES } from '@/lib/scopes/scopes';
import type { Prisma } from '@/lib/generated/prisma/client';

export class MetadataDocumentError extends Error {}

const MAX_DOCUMENT_BYTES = 5 * 1024;
const FETCH_TIMEOUT_MS = 5000;
const CACHE_SECONDS = { min: 60, default: 3600, max: 86_400 };

export function isMetadataDocumentClientId(clientId: string): boolean {
  return clientId.startsWith('https://') || (clientId.startsWith('http://') && getConfig().cimdAllowlist.includes(safeHost(clientId)));
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

function checkClientIdUrl(clientId: string): URL {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    throw new MetadataDocumentError('The client_id is not a valid URL.');
  }
  // The URL must be the document's canonical address: a path, no fragment, credentials or dot segments.
  if (url.hash || url.username || url.password || url.pathname === '/' || /\/\.{1,2}(\/|$)/.test(clientId)) {
    throw new MetadataDocumentError('The client_id URL must have a path and no fragment, credentials or dot segments.');
  }
  if (url.href !== clientId) throw new MetadataDocumentError('The client_id URL is not in canonical form.');
  return url;
}

function cacheSeconds(cacheControl: string | null): number {
  const maxAge = /max-age=(\d+)/i.exec(cacheControl ?? '')?.[1];
  const seconds = /no-store|no-cache/i.test(cacheControl ?? '') ? CACHE_SECONDS.min : maxAge ? Number(maxAge) : CACHE_SECONDS.default;
  return Math.min(Math.max(seconds, CACHE_SECONDS.min), CACHE_SECONDS.max);
}

export async function resolveMetadataDocumentClient(clientId: string, ip: string) {
  const url = checkClientIdUrl(clientId);
  const known = await db().agent.findUnique({ where: { clientId }, select: { id: true, metadataExpiresAt: true } });
  if (known?.metadataExpiresAt && known.metadataExpiresAt > new Date()) return;

  let fetched;
  try {
    fetched = await safeFetchJson(clientId, { maxBytes: MAX_DOCUMENT_BYTES, timeoutMs: FETCH_TIMEOUT_MS });
  } catch (error) {
    const reason = error instanceof UnsafeFetchError ? error.message : 'it could not be fetched';
    throw new MetadataDocumentError(`The application's metadata document was refused: ${reason}.`);
  }
  if (fetched.status !== 200) throw new MetadataDocumentError(`The application's metadata document answered HTTP ${fetched.status}.`);
  const document = fetched.body as Record<string, unknown> | null;
  if (!document || typeof document !== 'object' || document.client_id !== clientId) {
    throw new MetadataDocumentError('The metadata document does not name this client_id: it cannot identify this application.');
  }
  const parsed = clientMetadataSchema.safeParse({ token_endpoint_auth_method: 'none', ...document });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MetadataDocumentError(`The metadata document is invalid: ${String(issue.path[0] ?? '')} ${issue.message}.`);
  }
  const m = parsed.data;
  const unknown = await unknownScopes(m.scope);
  if (unknown.length) throw new MetadataDocumentError(`The metadata document is invalid: scope unknown scope: ${unknown.join(' ')}.`);
  if (m.token_endpoint_auth_method === 'client_secret_basic' || m.token_endpoint_auth_method === 'client_secret_post') {
    throw new MetadataDocumentError('A metadata document client cannot use a client secret (there is no way to share one).');
  }
  const now = new Date();
  const fields = {
    name: m.client_name ?? url.hostname,
    logoUri: m.logo_uri ?? null,
    clientUri: m.client_uri ?? null,
    verifiedDomain: url.hostname,
    redirectUris: m.redirect_uris ?? [],
    grantTypes: m.grant_types,
    scopes: m.scope ? parseScope(m.scope) : [...SUPPORTED_SCOPES],
    tokenEndpointAuthMethod: m.token_endpoint_auth_method,
    jwks: (m.jwks as Prisma.InputJsonObject | undefined) ?? undefined,
    metadata: { ...m, client_id: clientId } as Prisma.InputJsonObject,
    metadataFetchedAt: now,
    metadataExpiresAt: new Date(now.getTime() + cacheSeconds(fetched.cacheControl) * 1000),
  };
  await db().$transaction(async (tx) => {
    const agent = await tx.agent.upsert({
      where: { clientId },
      create: { clientId, registration: 'CIMD', ...fields },
      update: fields,
      select: { id: true },
    });
    if (!known) {
      await appendAuditEvent(tx, {
        action: 'client.discover',
        decision: 'ALLOW',
        agentId: agent.id,
        ip,
        reason: 'client ID metadata document fetched and verified',
        details: { client_id: clientId, domain: url.hostname },
      });
    }
  });
}
