// The policy editor's JSON routes (issue 5), for agents connected to the signed-in user only:
// - POST /api/account/agents/{id}/policy          save a version {document, cedar?, expected_version}
// - POST /api/account/agents/{id}/policy/check    compile and validate a draft, and simulate a call
// - POST /api/account/agents/{id}/policy/rollback make an old version current again {version}
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { ApiError } from '@/lib/http/api-error';
import { sessionRoute } from '@/lib/endpoints/session-route';
import { policyDocumentSchema } from '@/lib/policy/policy-document';
import { saveAgentPolicy, type SavePolicyResult } from '@/lib/policy/save-agent-policy';
import { compileDraft, simulate, simulationSchema } from '@/lib/policy/simulate-policy';
import { declaredActionsOf } from '@/lib/policy/declared-actions';
import { listProtectedResources } from '@/lib/protected-resources/registry';

/** Routes for an agent connected to the signed-in user (else 404, before the body is read). */
const agentRoute = <S extends z.ZodType>(body: S, invalid: string | ((error: z.ZodError) => ApiError)) => ({
  signIn: 'Sign in to edit policies.',
  id: 'No such agent connected to your account.',
  owns: async (userId: string, agentId: string) => (await db().grant.count({ where: { userId, agentId } })) > 0,
  body,
  invalid,
});

function saveAnswer(result: SavePolicyResult) {
  if (result.ok) return { version: result.version };
  if (result.reason === 'version_conflict') {
    throw new ApiError(409, 'conflict', `Someone saved version ${result.currentVersion} meanwhile. Reload to see it before saving.`);
  }
  if (result.reason === 'invalid_document') {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of result.issues) (fieldErrors[issue.path || 'document'] ??= []).push(issue.message);
    throw new ApiError(400, 'invalid_request', 'The policy has invalid fields.', fieldErrors);
  }
  throw new ApiError(400, 'invalid_request', `The Cedar policy is not valid: ${result.problems[0]?.message ?? 'unknown problem'}`, {
    cedar: result.problems.map((p) => (p.policy ? `${p.policy}: ${p.message}` : p.message)),
  });
}

const saveSchema = z.object({ document: z.unknown(), cedar: z.string().max(50_000).optional(), expected_version: z.number().int().min(0) });

export const handleSavePolicy = sessionRoute(agentRoute(saveSchema, 'Send {document, cedar?, expected_version}.'), async ({ user, id: agentId, body }) => {
  const { document, cedar, expected_version } = body;
  return saveAnswer(await saveAgentPolicy({ userId: user.id, agentId, document, cedar, expectedVersion: expected_version, savedById: user.id }));
});

const checkSchema = z.object({ document: z.unknown(), cedar: z.string().max(50_000).optional(), simulate: simulationSchema.optional() });

export const handleCheckPolicy = sessionRoute(
  agentRoute(checkSchema, (error) => {
    const issue = error.issues[0];
    return new ApiError(400, 'invalid_request', `Invalid check: ${issue?.path.join('.')}: ${issue?.message}`);
  }),
  async ({ user, body }) => {
    const document = policyDocumentSchema.safeParse(body.document);
    if (!document.success) return { ok: false, issues: document.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })), problems: [] };
    // Registered resources' declared actions are decided beside Leash's own (issue 14 §3).
    const declared = declaredActionsOf(await listProtectedResources());
    const draft = compileDraft(document.data, body.cedar, declared);
    if (!draft.compiled) return { ok: false, issues: [], problems: draft.problems };
    const decision = body.simulate ? simulate(draft.compiled, document.data, user.timeZone, body.simulate, declared) : undefined;
    if (decision === null) throw new ApiError(400, 'invalid_request', `Invalid check: simulate.action: ${body.simulate!.resource} declares no action "${body.simulate!.action}".`);
    return { ok: true, cedar: draft.compiled.text, issues: [], problems: [], ...(decision ? { decision } : {}) };
  },
);

export const handleRollbackPolicy = sessionRoute(
  agentRoute(z.object({ version: z.number().int().min(0), expected_version: z.number().int().min(0) }), 'Send {version, expected_version}.'),
  async ({ user, id: agentId, body }) => {
    const old = await db().policy.findFirst({ where: { userId: user.id, agentId, version: body.version }, select: { document: true, cedar: true, handWritten: true } });
    if (!old) throw new ApiError(404, 'not_found', `There is no version ${body.version}.`);
    return saveAnswer(
      await saveAgentPolicy({
        userId: user.id,
        agentId,
        document: old.document,
        cedar: old.handWritten ? old.cedar : undefined,
        expectedVersion: body.expected_version,
        savedById: user.id,
      }),
    );
  },
);
