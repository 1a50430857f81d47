// The protected resources (RFC 8707 resource indicators) Leash issues tokens for: its own workspace
// API and MCP server, seeded as rows at first use with identifiers under the issuer (one pair per
// issuer: servers with different issuers may share a database, and each sees only its own), and the
// APIs a deploying team registers (lib/protected-resources/manage-resources.ts). Every instance
// keeps the list in memory and drops it when any row changes (trigger on `leash_cache`, migration
// protected_resources), so a registration or removal applies to the next request everywhere.
import 'server-only';
import { db } from '@/lib/db/client';
import { cached, forgetCached } from '@/lib/cache/hot-cache';
import { getConfig } from '@/lib/config/config';
import { SCOPES, type ScopeRisk } from '@/lib/scopes/scopes';
import { resourceActionsSchema, resourceScopesSchema } from '@/lib/protected-resources/resource-input';

export type ResourceScope = { name: string; description: string; risk: ScopeRisk };
export type ResourceAction = { name: string; scope: string; risk: ScopeRisk; description: string };
export type ResourceAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

export type ProtectedResourceRecord = {
  id: string;
  slug: string | null;
  identifier: string;
  name: string;
  description: string | null;
  scopes: ResourceScope[];
  actions: ResourceAction[];
  tokenFormat: 'opaque' | 'jwt';
  clientId: string | null;
  authMethod: ResourceAuthMethod | null;
  builtIn: boolean;
  createdAt: Date;
};

/** The record plus what only authentication reads (never leaves this folder's callers that need it). */
export type ResourceCredentials = ProtectedResourceRecord & { clientSecretHash: string | null; jwks: unknown };

const BUILT_IN = {
  api: { name: 'Leash workspace API', description: "The sample workspace's REST API (/api/v1)." },
  mcp: { name: 'Leash MCP server', description: 'The same operations as MCP tools (Streamable HTTP).' },
} as const;
export type BuiltInSlug = keyof typeof BUILT_IN;

const ALL = 'protected-resources';
const holder = globalThis as typeof globalThis & { leashBuiltInResources?: { issuer: string; done: Promise<void> } };

/** Leash's own two resources as rows (idempotent; once per process and issuer). */
function ensureBuiltInResources(): Promise<void> {
  const { issuer } = getConfig();
  if (holder.leashBuiltInResources?.issuer === issuer) return holder.leashBuiltInResources.done;
  const ownScopes = Object.entries(SCOPES)
    .filter(([name]) => name !== 'offline_access')
    .map(([name, scope]) => ({ name, description: scope.description, risk: scope.risk }));
  const done = (async () => {
    for (const slug of Object.keys(BUILT_IN) as BuiltInSlug[]) {
      const data = { identifier: `${issuer}/${slug}`, name: BUILT_IN[slug].name, description: BUILT_IN[slug].description, scopes: ownScopes, builtIn: true };
      await db().protectedResource.upsert({ where: { identifier: data.identifier }, create: { slug, ...data }, update: data });
    }
  })();
  holder.leashBuiltInResources = { issuer, done };
  done.catch(() => {
    if (holder.leashBuiltInResources?.done === done) delete holder.leashBuiltInResources;
  });
  return done;
}

async function loadAll(): Promise<ResourceCredentials[]> {
  await ensureBuiltInResources();
  const { issuer } = getConfig();
  const rows = await db().protectedResource.findMany({ orderBy: [{ builtIn: 'desc' }, { createdAt: 'asc' }] });
  // Another issuer's built-in rows (another server on this database, or this one before its issuer
  // changed) are not resources of this server.
  const own = rows.filter((row) => !row.builtIn || row.identifier === `${issuer}/${row.slug}`);
  return own.map((row) => ({
    id: row.id,
    slug: row.slug,
    identifier: row.identifier,
    name: row.name,
    description: row.description,
    // Written through the same schemas (resource-input.ts); read defensively all the same.
    scopes: resourceScopesSchema.catch([]).parse(row.scopes),
    actions: resourceActionsSchema.catch([]).parse(row.actions),
    tokenFormat: row.tokenFormat === 'JWT' ? 'jwt' : 'opaque',
    clientId: row.clientId,
    authMethod: row.authMethod as ResourceAuthMethod | null,
    builtIn: row.builtIn,
    createdAt: row.createdAt,
    clientSecretHash: row.clientSecretHash,
    jwks: row.jwks,
  }));
}

function withoutCredentials({ clientSecretHash: _hash, jwks: _jwks, ...record }: ResourceCredentials): ProtectedResourceRecord {
  return record;
}

const inFlight = globalThis as typeof globalThis & { leashResourcesLoad?: Promise<ResourceCredentials[]> };

/** After this instance changed a resource: the next reader queries again (not a load begun before). */
export function forgetProtectedResources(): void {
  inFlight.leashResourcesLoad = undefined;
  forgetCached(ALL);
}

/**
 * Every resource (this issuer's own two and the registered ones). Concurrent readers share one
 * query while it runs (a burst of requests on a fresh instance, before its LISTEN connection is up
 * and the cache holds, costs one query, not one per request); a reader arriving after it settled
 * starts a new one, so nothing older than a running query is ever answered.
 */
async function all(): Promise<ResourceCredentials[]> {
  const found = allNow();
  return found instanceof Promise ? await found : found;
}

/** `all()`, without a promise when the cache holds the list (the token endpoint's every request). */
function allNow(): ResourceCredentials[] | Promise<ResourceCredentials[]> {
  const load = () => {
    inFlight.leashResourcesLoad ??= loadAll().finally(() => {
      inFlight.leashResourcesLoad = undefined;
    });
    return inFlight.leashResourcesLoad;
  };
  const found = cached('resources', ALL, load, () => [ALL]);
  return found instanceof Promise ? found.then((list) => list ?? []) : found;
}

export async function listProtectedResources(): Promise<ProtectedResourceRecord[]> {
  return (await all()).map(withoutCredentials);
}

export async function findProtectedResource(identifier: string): Promise<ProtectedResourceRecord | null> {
  const found = (await all()).find((r) => r.identifier === identifier);
  return found ? withoutCredentials(found) : null;
}

export async function findProtectedResourceById(id: string): Promise<ProtectedResourceRecord | null> {
  const found = (await all()).find((r) => r.id === id);
  return found ? withoutCredentials(found) : null;
}

/** For client authentication only (lib/oauth/clients/authenticate-resource-server.ts). */
export async function findResourceCredentials(clientId: string): Promise<ResourceCredentials | null> {
  return (await all()).find((r) => r.clientId !== null && r.clientId === clientId) ?? null;
}

/** Leash's own resource by slug (its identifier follows the issuer). */
export function builtInResourceUri(slug: BuiltInSlug): string {
  return `${getConfig().issuer}/${slug}`;
}

/** 'jwt' when the token's one audience is a resource that wants RFC 9068 JWT access tokens. */
export async function resourceTokenFormat(audience: readonly string[]): Promise<'opaque' | 'jwt'> {
  if (audience.length !== 1) return 'opaque';
  return (await findProtectedResource(audience[0]!))?.tokenFormat ?? 'opaque';
}

/** A scope some registered resource defines (Leash's own are in lib/scopes/scopes.ts), with its resource. */
export async function findRegisteredScope(name: string): Promise<(ResourceScope & { resource: string }) | null> {
  for (const resource of await all()) {
    if (resource.builtIn) continue;
    const scope = resource.scopes.find((s) => s.name === name);
    if (scope) return { ...scope, resource: resource.identifier };
  }
  return null;
}

/**
 * Every scope a request may name: Leash's own and every registered resource's. One set per list of
 * resources (the cached list is replaced, never changed, when a resource changes), given without a
 * promise while the list is cached: every client_credentials request asks. Read-only for callers.
 */
export function knownScopeNames(): ReadonlySet<string> | Promise<ReadonlySet<string>> {
  const found = allNow();
  return found instanceof Promise ? found.then(scopeNamesOf) : scopeNamesOf(found);
}

const scopeNames = new WeakMap<ResourceCredentials[], ReadonlySet<string>>();

function scopeNamesOf(resources: ResourceCredentials[]): ReadonlySet<string> {
  let names = scopeNames.get(resources);
  if (!names) {
    const all = new Set<string>(Object.keys(SCOPES));
    for (const resource of resources) for (const scope of resource.scopes) all.add(scope.name);
    scopeNames.set(resources, (names = all));
  }
  return names;
}

/** The words and risk of any known scope (consent, approvals), or null. */
export async function describeKnownScope(name: string): Promise<ResourceScope | null> {
  if (Object.hasOwn(SCOPES, name)) {
    const own = SCOPES[name as keyof typeof SCOPES];
    return { name, description: own.description, risk: own.risk };
  }
  return findRegisteredScope(name);
}

/** The words of registered APIs for screens (lib/words/plain-words.ts takes them). */
export async function registeredWords(): Promise<{ scopes: Record<string, string>; audiences: Record<string, string> }> {
  const scopes: Record<string, string> = {};
  const audiences: Record<string, string> = {};
  for (const resource of await all()) {
    if (resource.builtIn) continue;
    audiences[resource.identifier] = resource.name;
    for (const scope of resource.scopes) scopes[scope.name] = scope.description;
  }
  return { scopes, audiences };
}
