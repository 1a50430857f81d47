// The dashboard's JSON routes for the Agents and Tokens screens: read the live lists, revoke a token, the kill
// switch and its undo, revoke an agent's access, and revoke everything (typed confirmation). Each
// acts only on the signed-in user's own agents and tokens: anything else is 404.
import 'server-only';
import { resumeAgent, revokeAgentAccess, revokeAllTokens, revokeUserToken, suspendAgent } from '@/lib/agents/control-agent-access';
import { ApiError, readJsonBody } from '@/lib/http/api-error';
import { listLiveCredentials } from '@/lib/dashboard/list-live-credentials';
import { listConnectedAgents } from '@/lib/agents/list-connected-agents';
import { usedScopes } from '@/lib/agents/agent-activity';
import { loadAgentPolicy } from '@/lib/policy/load-agent-policy';
import { saveAgentPolicy } from '@/lib/policy/save-agent-policy';
import { db } from '@/lib/db/client';
import { sessionRoute } from '@/lib/endpoints/session-route';

const signIn = 'Sign in to manage your agents.';

export const handleListCredentials = sessionRoute({ signIn }, ({ user }) => listLiveCredentials({ userId: user.id }));

export const handleListAgents = sessionRoute({ signIn }, async ({ user }) => ({ agents: await listConnectedAgents({ userId: user.id }) }));

export const handleRevokeToken = sessionRoute({ signIn, id: 'No such token.' }, async ({ user, id, ip }) => {
  const result = await revokeUserToken({ userId: user.id, tokenId: id, ip });
  if (!result.found) throw new ApiError(404, 'not_found', 'No such token.');
  return { revoked: result.revoked };
});

const AGENT_CONTROLS = {
  suspend: suspendAgent,
  resume: resumeAgent,
  'revoke-access': revokeAgentAccess,
} as const;

export function handleAgentControl(control: keyof typeof AGENT_CONTROLS) {
  return sessionRoute({ signIn, id: 'No such agent.' }, async ({ user, id, ip }) => {
    const result = await AGENT_CONTROLS[control]({ userId: user.id, agentId: id, ip });
    if (!result.found) throw new ApiError(404, 'not_found', control === 'resume' ? 'This agent is not suspended.' : 'No such agent connected to your account.');
    return result;
  });
}

export const REVOKE_EVERYTHING_CONFIRMATION = 'revoke everything';

export const handleRevokeEverything = sessionRoute({ signIn }, async ({ request, user, ip }) => {
  const body = await readJsonBody(request);
  if (body.confirm !== REVOKE_EVERYTHING_CONFIRMATION) {
    throw new ApiError(400, 'invalid_request', `Type "${REVOKE_EVERYTHING_CONFIRMATION}" to confirm.`, { confirm: ['Does not match.'] });
  }
  return revokeAllTokens({ userId: user.id, ip });
});

/** POST /api/account/agents/{id}/narrow-scopes: the policy's scope ceiling becomes what the agent used in 30 days. */
export const handleNarrowScopes = sessionRoute({ signIn, id: 'No such agent.' }, async ({ user, id: agentId }) => {
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
  return { version: saved.version, scopeCeiling };
});
