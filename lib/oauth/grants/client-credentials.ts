// grant_type=client_credentials (RFC 6749 §4.4): a confidential agent acting as itself, with no
// user behind it. No refresh token (§4.4.3). Scope: what was asked for, within what the agent
// registered; nothing asked → everything registered except offline_access.
import 'server-only';
import { tokenResponse } from '@/lib/oauth/grants/types';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { OAuthError } from '@/lib/oauth/errors';
import { checkResources } from '@/lib/oauth/check-resources';
import { parseScope } from '@/lib/scopes/scopes';
import { knownScopeNames } from '@/lib/protected-resources/registry';
import { issueAccessToken } from '@/lib/tokens/issue-access-token';
import type { Grant } from '@/lib/oauth/grants/types';

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle({ client, params, ip, dpop }) {
    if (!client.confidential) {
      throw new OAuthError('unauthorized_client', 'client_credentials is only for confidential clients.');
    }
    const requested = parseScope(params.get('scope'));
    const refuse = async (reason: string, description: string): Promise<never> => {
      await appendAuditEventGrouped({
        action: 'token.refuse',
        decision: 'DENY',
        agentId: client.id,
        scopes: requested,
        ip,
        reason: `client_credentials: ${reason}`,
        details: { error: 'invalid_scope', grant_type: 'client_credentials' },
      });
      throw new OAuthError('invalid_scope', description);
    };
    // A scope no server here defines is a mistake worth naming (RFC 6749 §5.2 invalid_scope).
    const names = knownScopeNames();
    const known = names instanceof Promise ? await names : names;
    const unknown = requested.filter((s) => !known.has(s));
    if (unknown.length) await refuse(`unknown scope (${unknown.join(' ')})`, `Unknown scope: ${unknown.join(' ')}`);
    // RFC 6749 §3.3: "The authorization server MAY fully or partially ignore the scope requested by
    // the client", and then says which scope it issued (§5.1). Clients such as mcp-remote ask for
    // the scopes of the resource's 401 challenge, not for what they registered: they get the part
    // they registered for; only when none of it is theirs is the request invalid_scope.
    // offline_access never applies (no refresh token here, §4.4.3).
    const available = client.scopes.filter((s) => s !== 'offline_access');
    const scopes = requested.length ? requested.filter((s) => available.includes(s)) : available;
    const checked = checkResources(params.resources);
    const audience = checked instanceof Promise ? await checked : checked;
    if (scopes.length === 0) {
      await (requested.length
        ? refuse(`none of the requested scopes is registered (${requested.join(' ')})`, `This client did not register for: ${requested.join(' ')}`)
        : refuse('no scope to grant', 'No scope to grant.'));
    }
    const narrowed = requested.length > scopes.length;
    const issued = await issueAccessToken({ agentId: client.id, scopes, audience, dpopJkt: dpop?.jkt }, { grantType: 'client_credentials', ip, ...(narrowed ? { requestedScopes: requested } : {}) });
    return tokenResponse(issued, { bound: Boolean(dpop), scopes });
  },
};
