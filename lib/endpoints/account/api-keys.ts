// The dashboard's JSON routes for an agent's API keys (docs/api-keys.md), each for the signed-in
// person's own agents and keys only (anything else is 404):
// - GET  /api/account/agents/{id}/api-keys      the agent's keys (never a key or its hash)
// - POST /api/account/agents/{id}/api-keys      make one: 201 with the key, shown this once
// - POST /api/account/api-keys/{id}/rotate      a new key like it (201, shown once); the old one and its tokens revoked
// - POST /api/account/api-keys/{id}/revoke      revoke it and the tokens exchanged for it
import 'server-only';
import { z } from 'zod';
import { ApiError } from '@/lib/http/api-error';
import { db } from '@/lib/db/client';
import { noStoreJson, sessionRoute } from '@/lib/endpoints/session-route';
import { API_KEY_DEFAULT_DAYS, API_KEY_MAX_DAYS, API_KEY_MAX_NAME } from '@/lib/api-keys/api-key-limits';
import { MAX_IP_RANGES, normalizeIpRanges } from '@/lib/api-keys/ip-ranges';
import { listApiKeys } from '@/lib/api-keys/list-api-keys';
import { createApiKey, revokeApiKey, rotateApiKey, type ApiKeyProblem } from '@/lib/api-keys/manage-api-keys';

const signIn = 'Sign in to manage your agents’ API keys.';

const days = z
  .number({ error: 'A number of days.' })
  .int('A whole number of days.')
  .min(1, 'At least 1 day.')
  .max(API_KEY_MAX_DAYS, `At most ${API_KEY_MAX_DAYS} days: an API key must expire within ${API_KEY_MAX_DAYS} days.`);

const createSchema = z.strictObject({
  name: z.string().trim().min(1, 'Give the key a name.').max(API_KEY_MAX_NAME, `At most ${API_KEY_MAX_NAME} characters.`),
  scopes: z.array(z.string().max(200)).min(1, 'Choose at least one permission.').max(50),
  expiresInDays: days.default(API_KEY_DEFAULT_DAYS),
  ipRanges: z.array(z.string().max(64)).max(MAX_IP_RANGES, `At most ${MAX_IP_RANGES} ranges.`).default([]),
});

const rotateSchema = z.strictObject({ expiresInDays: days.optional() });

function fieldErrors(error: z.ZodError): ApiError {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) (errors[String(issue.path[0] ?? 'form')] ??= []).push(issue.message);
  const fields = Object.keys(errors);
  return new ApiError(400, 'invalid_request', `Not valid: ${fields.join(', ')}. ${Object.values(errors)[0]![0]}`, errors);
}

function asApiError(problem: ApiKeyProblem): never {
  const status = { invalid: 400, conflict: 409, not_found: 404 }[problem.kind];
  const code = ({ invalid: 'invalid_request', conflict: 'conflict', not_found: 'not_found' } as const)[problem.kind];
  throw new ApiError(status, code, problem.message, problem.field ? { [problem.field]: [problem.message] } : undefined);
}

/** The agent is (or was) connected to this person: they have had a grant for it. */
const connectedTo = async (userId: string, agentId: string) => (await db().grant.count({ where: { userId, agentId } })) > 0;

export const handleListApiKeys = sessionRoute({ signIn, id: 'No such agent connected to your account.', owns: connectedTo }, ({ user, id }) => listApiKeys({ userId: user.id, agentId: id }));

export const handleCreateApiKey = sessionRoute(
  { signIn, id: 'No such agent connected to your account.', owns: connectedTo, body: createSchema, invalid: fieldErrors },
  async ({ user, id, ip, body }) => {
    const ranges = normalizeIpRanges(body.ipRanges);
    if (!ranges.ok)
      throw new ApiError(400, 'invalid_request', `Not an address range: ${ranges.invalid.join(', ')}`, {
        ipRanges: [`Not CIDR blocks: ${ranges.invalid.join(', ')} (e.g. 192.0.2.0/24, 2001:db8::/32).`],
      });
    const made = await createApiKey({ userId: user.id, agentId: id, ip }, { name: body.name, scopes: body.scopes, expiresInDays: body.expiresInDays, ipRanges: ranges.ranges });
    if (!made.ok) asApiError(made.problem);
    const listed = (await listApiKeys({ userId: user.id, agentId: id })).keys.find((k) => k.id === made.id);
    return noStoreJson({ key: made.key, apiKey: listed }, { status: 201 });
  },
);

export const handleRotateApiKey = sessionRoute({ signIn, id: 'No such API key.', body: rotateSchema, invalid: fieldErrors }, async ({ user, id, ip, body }) => {
  const made = await rotateApiKey({ userId: user.id, ip }, { keyId: id, expiresInDays: body.expiresInDays });
  if (!made.ok) asApiError(made.problem);
  const listed = (await listApiKeys({ userId: user.id, agentId: made.agentId })).keys.find((k) => k.id === made.id);
  return noStoreJson({ key: made.key, apiKey: listed, replaced: id }, { status: 201 });
});

export const handleRevokeApiKey = sessionRoute({ signIn, id: 'No such API key.' }, async ({ user, id, ip }) => {
  const done = await revokeApiKey({ userId: user.id, ip }, { keyId: id });
  if (!done.ok) asApiError(done.problem);
  return { revoked: true, revokedTokens: done.revokedTokens };
});
