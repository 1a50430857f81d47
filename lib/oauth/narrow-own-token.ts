// Token exchange without an actor (RFC 8693 §2.1, `actor_token` omitted): an agent trades its own
// access token for a narrower one to hand a sub-task to a tool. It is still the same agent acting
// for the same user, so the new token has no `act` of its own (§4.1: `act` names a *different*
// party; a delegated subject keeps the chain it already has) and no `may_act` is needed (§4.4).
// Never broader than the subject token:
// - scope ⊆ what the subject holds, counting what its scopes imply (reports:write holds
//   reports:read): the resource server already honours the hierarchy for the subject
//   (lib/scopes/scopes.ts expandScopes), so a reports:read token is strictly less than a
//   reports:write one; and within the user's policy as it is now (its ceiling may have dropped);
// - audience ⊆ the subject's (RFC 8707 `resource`, or §2.1 `audience` naming the same URIs);
// - lifetime ≤ what is left of the subject and ≤ the policy's access token lifetime (the token
//   must not outlive its parent: revocation travels only downwards, see migration token_parent);
// - authorization_details: the subject's, or some of them unchanged (RFC 9396 §6);
// - never just-in-time, and a just-in-time subject is refused outright: it stands for one approved
//   action and is revoked when it makes it (operations-finance), so a copy could do it twice;
// - DPoP (RFC 9449): a bound subject needs a proof made with its key and the new token is bound to
//   that same key (§5, as for a bound refresh token: only the key holder may use the token at the
//   token endpoint; and §7.1, a bound token is never turned back into a bearer one). A bearer subject
//   may be bound to the key of the proof sent (§5: the server binds what it issues to the proof's
//   key; binding only restricts), or stay bearer; the policy may require DPoP, as for other grants;
// - no refresh token (§2.2.1: none unless the server chooses; the child lives only as long as its parent).
// The new token records its parent: revoking the parent revokes it (and its own children) in the same
// transaction. Issuance and every refusal are audited as `token.exchange`; a refusal changes nothing.
import 'server-only';
import { tokenResponse } from '@/lib/oauth/grants/types';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { OAuthError } from '@/lib/oauth/errors';
import { tokenPolicy } from '@/lib/oauth/agent-token-policy';
import { narrowAuthorizationDetails } from '@/lib/oauth/narrow-authorization-details';
import { expandScopes, parseScope } from '@/lib/scopes/scopes';
import { findToken, isTokenActive, type FoundToken } from '@/lib/tokens/find-token';
import { ACCESS_TOKEN_TTL_SECONDS, createAccessToken } from '@/lib/tokens/issue-access-token';
import type { GrantContext, TokenResponse } from '@/lib/oauth/grants/types';
import type { Prisma } from '@/lib/generated/prisma/client';

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

export async function narrowOwnToken({ client, params, ip, dpop }: GrantContext, subjectToken: string): Promise<TokenResponse> {
  const requested = parseScope(params.get('scope'));
  const refuse = async (error: OAuthError, reason: string, token: FoundToken | null): Promise<never> => {
    // A refusal changes nothing but the log (group-committed: nothing else to commit with it).
    await appendAuditEventGrouped({
      action: 'token.exchange',
      decision: 'DENY',
      agentId: client.id,
      userId: token?.userId ?? null,
      tokenId: token?.id ?? null,
      scopes: requested,
      ip,
      reason: `narrowing refused: ${reason}`,
      details: { error: error.code, ...(token ? { subject_token_id: token.id } : {}) },
    });
    throw error;
  };

  const found = await findToken(subjectToken);
  if (!found || found.kind !== 'ACCESS' || !isTokenActive(found)) {
    // RFC 6749 §5.2 invalid_grant (the subject token is the grant here), as for delegation; RFC
    // 8693 §2.2.2 allows other codes "as appropriate".
    return refuse(new OAuthError('invalid_grant', 'The subject_token is not an active access token.'), 'the subject token is not an active access token', null);
  }
  const subject: FoundToken = found;
  if (subject.agentId !== client.id) {
    // Acting as another agent with no actor named is impersonation (§1.1), refused by policy:
    // §2.2.2 says a subject_token "unacceptable based on policy" MUST get invalid_request. The
    // same answer as before narrowing existed.
    return refuse(
      new OAuthError('invalid_request', 'actor_token is required: impersonation is not allowed on this server; delegation names its actor.'),
      'the subject token belongs to another agent and no actor_token was sent (impersonation)',
      subject,
    );
  }
  if (subject.jit) {
    return refuse(new OAuthError('invalid_request', 'A just-in-time token is for one approved action and cannot be exchanged.'), 'the subject token is a just-in-time token', subject);
  }

  // RFC 9449 §5 / §7.1: the key a bound subject is bound to must sign this request's proof.
  if (subject.dpopJkt && dpop?.jkt !== subject.dpopJkt) {
    return refuse(
      new OAuthError('invalid_dpop_proof', 'The subject token is bound to a DPoP key: send a proof made with that key.'),
      dpop ? 'the DPoP proof was made with another key than the subject token’s' : 'the subject token is DPoP-bound and no proof was sent',
      subject,
    );
  }
  const policy = subject.userId ? await tokenPolicy({ userId: subject.userId, agentId: client.id, ip }) : null;
  if (policy?.dpopRequired && !dpop) {
    return refuse(new OAuthError('invalid_dpop_proof', "The user's policy for this agent requires DPoP-bound tokens (RFC 9449)."), `policy v${policy.version} requires DPoP`, subject);
  }
  const dpopJkt = subject.dpopJkt ?? dpop?.jkt ?? null;

  // RFC 6749 §5.2 / RFC 8693 §2.2.2: a scope the subject does not hold is invalid_scope.
  const held = expandScopes(subject.scopes);
  const beyond = requested.filter((s) => !held.has(s));
  if (beyond.length) return refuse(new OAuthError('invalid_scope', `The subject token does not cover: ${beyond.join(' ')}`), `scope not held: ${beyond.join(' ')}`, subject);
  // offline_access means refresh tokens, and none is issued here (§2.2.1).
  const wanted = (requested.length ? requested : subject.scopes).filter((s) => s !== 'offline_access');
  const scopes = policy ? policy.allowedScopes(wanted) : wanted;
  if (!scopes.length) {
    return refuse(new OAuthError('invalid_scope', "None of these scopes is left to grant under the user's policy for this agent."), 'no scope left to grant', subject);
  }

  // RFC 8707 §2 / RFC 8693 §2.2.2: a target outside the subject's audience is invalid_target.
  const audienceParam = params.get('audience');
  const targets = [...new Set([...params.resources, ...(audienceParam ? [audienceParam] : [])])];
  if (targets.some((r) => !subject.audience.includes(r))) {
    return refuse(new OAuthError('invalid_target', 'The subject token is not valid for that resource.'), `resource outside the subject's audience: ${targets.join(' ')}`, subject);
  }
  const audience = targets.length ? targets : subject.audience;

  let details: ReturnType<typeof narrowAuthorizationDetails>;
  try {
    details = narrowAuthorizationDetails(subject.authorizationDetails, params.get('authorization_details'));
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return refuse(error, 'authorization_details the subject token does not carry', subject);
  }

  const remaining = Math.floor((subject.expiresAt.getTime() - Date.now()) / 1000);
  const ttl = Math.min(remaining, policy?.accessTokenSeconds ?? ACCESS_TOKEN_TTL_SECONDS);
  if (ttl < 1) return refuse(new OAuthError('invalid_grant', 'The subject_token is about to expire.'), 'the subject token has less than a second left', subject);

  const issued = await db().$transaction(async (tx) => {
    // The parent must still be live when the child is written, and stay so until it commits: a
    // revocation racing with this waits for the lock and then, through the trigger, finds the
    // child; one that came first leaves nothing to lock. (The foreign key's own lock does not
    // conflict with an UPDATE of revoked_at.)
    const live = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM tokens WHERE id = ${subject.id}::uuid AND revoked_at IS NULL AND expires_at > now() FOR SHARE`;
    if (!live.length) return null;
    const access = await createAccessToken(
      tx,
      {
        agentId: client.id,
        userId: subject.userId,
        grantId: subject.grantId,
        authorizationRequestId: subject.authorizationRequestId,
        scopes,
        audience,
        authorizationDetails: (details as Prisma.InputJsonValue | null) ?? null,
        actor: (subject.actor as Prisma.InputJsonValue | null) ?? null,
        acr: subject.acr,
        amr: subject.amr,
        authTime: subject.authTime,
        dpopJkt,
        parentTokenId: subject.id,
        policyVersion: policy?.version ?? null,
      },
      { grantType: 'token_exchange', ip, ttlSeconds: ttl },
    );
    await appendAuditEvent(tx, {
      action: 'token.exchange',
      decision: 'ALLOW',
      agentId: client.id,
      userId: subject.userId,
      actor: (subject.actor as Prisma.InputJsonValue | null) ?? null,
      tokenId: access.id,
      scopes,
      resource: audience.join(' '),
      ip,
      reason: 'narrowed its own token (RFC 8693, no actor)',
      details: {
        parent_token_id: subject.id,
        from_scopes: subject.scopes,
        to_scopes: scopes,
        from_audience: subject.audience,
        to_audience: audience,
        expires_in: ttl,
        ...(dpopJkt ? { dpop_jkt: dpopJkt } : {}),
        ...(details ? { authorization_details: details.length } : {}),
      },
    });
    return access;
  });
  if (!issued) return refuse(new OAuthError('invalid_grant', 'The subject_token is not an active access token.'), 'the subject token was revoked meanwhile', subject);

  return tokenResponse(issued, { bound: Boolean(dpopJkt), scopes, details, issuedTokenType: ACCESS_TOKEN_TYPE });
}
