// The policy editor's JSON routes (issue 5), for agents connected to the signed-in user only:
// - POST /api/account/agents/{id}/policy          save a version {document, cedar?, expected_version}
// - POST /api/account/agents/{id}/policy/check    compile and validate a draft, and simulate a call
// - POST /api/account/agents/{id}/policy/rollback make an old version current again {version}
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { getCurrentUser } from '@/lib/auth/session';
import { ApiError, apiErrorResponse, readJsonBody } from '@/lib/http/api-error';
import { policyDocumentSchema } from '@/lib/policy/policy-document';
import { saveAgentPolicy, type SavePolicyResult } from '@/lib/policy/save-agent-policy';
import { compileDraft, simulate, simulationSchema } from '@/lib/policy/simulate-policy';

type IdContext = { params: Promise<{ id: string }> };
const noStore = { 'Cache-Control': 'no-store' };

async function ownedAgent(context: IdContext) {
  const user = await getCurrentUser();
  if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to edit policies.');
  const { id } = await context.params;
  const connected = z.uuid().safeParse(id).success && (await db().grant.count({ where: { userId: user.id, agentId: id } })) > 0;
  if (!connected) throw new ApiError(404, 'not_found', 'No such agent connected to your account.');
  return { user, agentId: id };
}

function saveAnswer(result: SavePolicyResult): Response {
  if (result.ok) return Response.json({ version: result.version }, { headers: noStore });
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

export async function handleSavePolicy(request: Request, context: IdContext): Promise<Response> {
  try {
    const { user, agentId } = await ownedAgent(context);
    const input = saveSchema.safeParse(await readJsonBody(request));
    if (!input.success) throw new ApiError(400, 'invalid_request', 'Send {document, cedar?, expected_version}.');
    const { document, cedar, expected_version } = input.data;
    return saveAnswer(await saveAgentPolicy({ userId: user.id, agentId, document, cedar, expectedVersion: expected_version, savedById: user.id }));
  } catch (error) {
    return apiErrorResponse(error);
  }
}

const checkSchema = z.object({ document: z.unknown(), cedar: z.string().max(50_000).optional(), simulate: simulationSchema.optional() });

export async function handleCheckPolicy(request: Request, context: IdContext): Promise<Response> {
  try {
    const { user } = await ownedAgent(context);
    const input = checkSchema.safeParse(await readJsonBody(request));
    if (!input.success) {
      const issue = input.error.issues[0];
      throw new ApiError(400, 'invalid_request', `Invalid check: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    const document = policyDocumentSchema.safeParse(input.data.document);
    if (!document.success) {
      return Response.json({ ok: false, issues: document.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })), problems: [] }, { headers: noStore });
    }
    const draft = compileDraft(document.data, input.data.cedar);
    if (!draft.compiled) return Response.json({ ok: false, issues: [], problems: draft.problems }, { headers: noStore });
    const decision = input.data.simulate ? simulate(draft.compiled, document.data, user.timeZone, input.data.simulate) : undefined;
    return Response.json({ ok: true, cedar: draft.compiled.text, issues: [], problems: [], ...(decision ? { decision } : {}) }, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

export async function handleRollbackPolicy(request: Request, context: IdContext): Promise<Response> {
  try {
    const { user, agentId } = await ownedAgent(context);
    const input = z.object({ version: z.number().int().min(0), expected_version: z.number().int().min(0) }).safeParse(await readJsonBody(request));
    if (!input.success) throw new ApiError(400, 'invalid_request', 'Send {version, expected_version}.');
    const old = await db().policy.findFirst({ where: { userId: user.id, agentId, version: input.data.version }, select: { document: true, cedar: true, handWritten: true } });
    if (!old) throw new ApiError(404, 'not_found', `There is no version ${input.data.version}.`);
    return saveAnswer(
      await saveAgentPolicy({
        userId: user.id,
        agentId,
        document: old.document,
        cedar: old.handWritten ? old.cedar : undefined,
        expectedVersion: input.data.expected_version,
        savedById: user.id,
      }),
    );
  } catch (error) {
    return apiErrorResponse(error);
  }
}
