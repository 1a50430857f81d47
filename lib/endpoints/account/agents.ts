// The dashboard's JSON routes for the Agents and Tokens screens: read the live lists, revoke a token, the kill
// switch and its undo, revoke an agent's access, and revoke everything (typed confirmation). Each
// acts only on the signed-in user's own agents and tokens: anything else is 404.
import 'server-only';
import { z } from 'zod';
import { getCurrentUser } from '@/lib/auth/session';
import { resumeAgent, revokeAgentAccess, revokeAllTokens, revokeUserToken, suspendAgent } from '@/lib/agents/control-agent-access';
import { ApiError, apiErrorResponse, readJsonBody } from '@/lib/http/api-error';
import { clientIp } from '@/lib/http/client-ip';
import { listLiveCredentials } from '@/lib/tokens/list-live-credentials';
import { listConnectedAgents } from '@/lib/agents/list-connected-agents';
import { usedScopes } from '@/lib/agents/agent-activity';
import { loadAgentPolicy } from '@/lib/policy/load-agent-policy';
import { saveAgentPolicy } from '@/lib/policy/save-agent-policy';
import { db } from '@/lib/db/client';

type IdContext = { params: Promise<{ id: string }> };

const noStore = { 'Cache-Control': 'no-store' };
const uuid = z.uuid();

async function signedIn() {
  const user = await getCurrentUser();
  if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to manage your agents.');
  return user;
}

async function idFrom(context: IdContext, what: string) {
  const { id } = await context.params;
  if (!uuid.safeParse(id).success) throw new ApiError(404, 'not_found', `No such ${what}.`);
  return id;
}

export async function handleListCredentials(): Promise<Response> {
  try {
    const user = await signedIn();
    return Response.json(await listLiveCredentials({ userId: user.id }), { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

export async function handleListAgents(): Promise<Response> {
  try {
    const user = await signedIn();
    return Response.json({ agents: await listConnectedAgents({ userId: user.id }) }, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

export async function handleRevokeToken(request: Request, context: IdContext): Promise<Response> {
  try {
    const user = await signedIn();
    const result = await revokeUserToken({ userId: user.id, tokenId: await idFrom(context, 'token'), ip: clientIp(request.headers) });
    if (!result.found) throw new ApiError(404, 'not_found', 'No such token.');
    return Response.json({ revoked: result.revoked }, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

const AGENT_CONTROLS = {
  suspend: suspendAgent,
  resume: resumeAgent,
  'revoke-access': revokeAgentAccess,
} as const;

export function handleAgentControl(control: keyof typeof AGENT_CONTROLS) {
  return async (request: Request, context: IdContext): Promise<Response> => {
    try {
      const user = await signedIn();
      const result = await AGENT_CONTROLS[control]({ userId: user.id, agentId: await idFrom(context, 'agent'), ip: clientIp(request.headers) });
      if (!result.found) throw new ApiError(404, 'not_found', control === 'resume' ? 'This agent is not suspended.' : 'No such agent connected to your account.');
      return Response.json(result, { headers: noStore });
    } catch (error) {
      return apiErrorResponse(error);
    }
  };
}

export const REVOKE_EVERYTHING_CONFIRMATION = 'revoke everything';

export async function handleRevokeEverything(request: Request): Promise<Response> {
  try {
    const user = await signedIn();
    const body = await readJsonBody(request);
    if (body.confirm !== REVOKE_EVERYTHING_CONFIRMATION) {
      throw new ApiError(400, 'invalid_request', `Type "${REVOKE_EVERYTHING_CONFIRMATION}" to confirm.`, { confirm: ['Does not match.'] });
    }
    return Response.json(await revokeAllTokens({ userId: user.id, ip: clientIp(request.headers) }), { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

/** POST /api/account/agents/{id}/narrow-scopes: the policy's scope ceiling becomes what the agent used in 30 days. */
export async function handleNarrowScopes(_request: Request, context: IdContext): Promise<Response> {
  try {
    const user = await signedIn();
    const agentId = await idFrom(context, 'agent');
    const connected = await db().grant.count({ where: { userId: user.id, agentId, status: { in: ['ACTIVE', 'SUSPENDED'] } } });
    if (!connected) throw new ApiError(404, 'not_found', 'No such agent connected to your account.');
    const used = new Set(await usedScopes({ userId: user.id, agentId, days: 30 }));
    const current = await loadAgentPolicy({ userId: user.id, agentId });
    if (current.handWritten) throw new ApiError(409, 'conflict', 'This agent’s policy is hand-written Cedar: change its rules in the policy editor.');
    const scopeCeiling = current.document.scopeCeiling.filter((s) => used.has(s) || s === 'offline_access');
    const saved = await saveAgentPolicy({
      userId: user.id,
      agentId,
      document: { ...current.document, scopeCeiling },
      expectedVersion: current.version,
      savedById: user.id,
    });
    if (!saved.ok) throw new ApiError(409, 'conflict', 'The policy changed meanwhile. Reload and try again.');
    return Response.json({ version: saved.version, scopeCeiling }, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}
