// An administrator registers, removes and re-keys the APIs Leash issues tokens for (issue 14 §1).
// Each change is one transaction with its audit row; the registry (registry.ts) hears of it on
// `leash_cache` on every instance, and this one forgets its copy before answering.
import 'server-only';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { Prisma } from '@/lib/generated/prisma/client';
import { SCOPES } from '@/lib/scopes/scopes';
import { hashToken, mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import { revokeTokens, revoking } from '@/lib/tokens/revoke-tokens';
import { randomBytes } from 'node:crypto';
import { findProtectedResourceById, forgetProtectedResources, listProtectedResources, type ProtectedResourceRecord } from '@/lib/protected-resources/registry';
import { resourceIdentifierProblem, type ResourceRegistration } from '@/lib/protected-resources/resource-input';

/** A registration the rules refuse: `field` names the input at fault (the form shows it there). */
export class ResourceProblem extends Error {
  constructor(
    readonly kind: 'invalid' | 'conflict' | 'not_found' | 'forbidden',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

type Actor = { id: string; ip: string };

/** Resource servers' client ids: `rs_` and 128 random bits (agents' are `agent_…`). */
function newResourceClientId(): string {
  return `rs_${randomBytes(16).toString('base64url')}`;
}

export async function registerProtectedResource(input: ResourceRegistration, actor: Actor): Promise<{ resource: ProtectedResourceRecord; clientSecret: string | null }> {
  const { issuer, secure } = getConfig();
  const problem = resourceIdentifierProblem(input.identifier, secure);
  if (problem) throw new ResourceProblem('invalid', `The identifier ${problem}.`, 'identifier');
  const identifier = input.identifier.replace(/\/+$/, '') || input.identifier;
  if (identifier === issuer) throw new ResourceProblem('invalid', 'The identifier is the authorization server itself; give the API its own URL.', 'identifier');

  // A scope names one permission everywhere (the consent screen, policies, tokens): it is defined
  // once, by Leash or by one registered API.
  const existing = await listProtectedResources();
  for (const scope of input.scopes) {
    if (Object.hasOwn(SCOPES, scope.name)) throw new ResourceProblem('conflict', `${scope.name} is one of Leash's own scopes; choose another name.`, 'scopes');
    const owner = existing.find((r) => !r.builtIn && r.scopes.some((s) => s.name === scope.name));
    if (owner) throw new ResourceProblem('conflict', `${scope.name} is already defined by ${owner.name}.`, 'scopes');
  }
  if (existing.some((r) => r.identifier === identifier)) throw new ResourceProblem('conflict', 'An API with this identifier is already registered.', 'identifier');

  const clientSecret = input.authMethod === 'private_key_jwt' ? null : mintToken(TOKEN_PREFIX.clientSecret);
  try {
    const created = await db().$transaction(async (tx) => {
      const row = await tx.protectedResource.create({
        data: {
          identifier,
          name: input.name,
          description: input.description || null,
          scopes: input.scopes,
          actions: input.actions,
          tokenFormat: input.tokenFormat === 'jwt' ? 'JWT' : 'OPAQUE',
          clientId: newResourceClientId(),
          authMethod: input.authMethod,
          clientSecretHash: clientSecret ? hashToken(clientSecret) : null,
          jwks: (input.jwks as Prisma.InputJsonObject | undefined) ?? Prisma.DbNull,
          createdById: actor.id,
        },
        select: { id: true },
      });
      await appendAuditEvent(tx, {
        action: 'resource.register',
        decision: 'ALLOW',
        userId: actor.id,
        ip: actor.ip,
        resource: identifier,
        reason: `${input.name} registered as a protected resource`,
        details: { identifier, scopes: input.scopes.map((s) => s.name), tokenFormat: input.tokenFormat, authMethod: input.authMethod },
      });
      return row;
    });
    forgetProtectedResources();
    return { resource: (await findProtectedResourceById(created.id))!, clientSecret };
  } catch (error) {
    // Two administrators registering the same identifier at once: the unique index decides.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new ResourceProblem('conflict', 'An API with this identifier is already registered.', 'identifier');
    }
    throw error;
  }
}

/** Removes a registered API and revokes every token issued for it. Leash's own two stay. */
export async function removeProtectedResource(id: string, actor: Actor): Promise<{ revokedTokens: number }> {
  const resource = await findProtectedResourceById(id);
  if (!resource) throw new ResourceProblem('not_found', 'No such API.');
  if (resource.builtIn) throw new ResourceProblem('forbidden', "Leash's own API and MCP server cannot be removed.");
  const revokedTokens = await revoking(async (tx) => {
    const removed = await tx.protectedResource.deleteMany({ where: { id, builtIn: false } });
    if (removed.count === 0) throw new ResourceProblem('not_found', 'No such API.');
    const revoked = await revokeTokens(tx, { audience: resource.identifier }, `the protected resource ${resource.identifier} was removed`);
    await appendAuditEvent(tx, {
      action: 'resource.delete',
      decision: 'ALLOW',
      userId: actor.id,
      ip: actor.ip,
      resource: resource.identifier,
      reason: `${resource.name} removed; ${revoked} token${revoked === 1 ? '' : 's'} for it revoked`,
      details: { identifier: resource.identifier, revokedTokens: revoked },
    });
    return revoked;
  });
  forgetProtectedResources();
  return { revokedTokens };
}

/** A new client secret for a resource server (the old one stops working at once); shown once. */
export async function rotateResourceSecret(id: string, actor: Actor): Promise<{ clientSecret: string }> {
  const resource = await findProtectedResourceById(id);
  if (!resource) throw new ResourceProblem('not_found', 'No such API.');
  if (resource.builtIn || !resource.authMethod) throw new ResourceProblem('forbidden', "Leash's own API and MCP server have no credentials.");
  if (resource.authMethod === 'private_key_jwt') throw new ResourceProblem('invalid', 'This API authenticates with its keys (private_key_jwt), not a secret.');
  const clientSecret = mintToken(TOKEN_PREFIX.clientSecret);
  await db().$transaction(async (tx) => {
    await tx.protectedResource.update({ where: { id }, data: { clientSecretHash: hashToken(clientSecret) } });
    await appendAuditEvent(tx, {
      action: 'resource.secret_rotate',
      decision: 'ALLOW',
      userId: actor.id,
      ip: actor.ip,
      resource: resource.identifier,
      reason: `new client secret for ${resource.name}`,
      details: { identifier: resource.identifier },
    });
  });
  forgetProtectedResources();
  return { clientSecret };
}
