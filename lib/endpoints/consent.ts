// POST /api/consent/:id — the user's Allow or Deny. Needs the signed-in user the request is bound
// to, a same-origin request (proxy.ts), and the consent token of the screen they saw (CSRF). The
// answer tells the browser where to go; the page navigates there itself (a form redirect to the
// agent's origin would be blocked by CSP form-action).
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { AgentSuspendedError, AlreadyDecidedError, approveAuthorizationRequest } from '@/lib/consent/approve-authorization-request';
import { denyAuthorizationRequest } from '@/lib/consent/deny-authorization-request';
import { ApiError } from '@/lib/http/api-error';
import { sessionRoute } from '@/lib/endpoints/session-route';
import { matchesHash } from '@/lib/tokens/opaque-token';
import { releaseAuthorizationRequest } from '@/lib/consent/release-authorization-request';

const decisionSchema = z.object({
  decision: z.enum(['allow', 'deny']),
  scopes: z.array(z.string().max(100)).max(20).default([]),
  remember: z.boolean().default(false),
  consent_token: z.string().min(1).max(200),
});

const signIn = 'Sign in to answer this request.';
const GONE = 'This request has expired or was already answered.';

export const handleConsentDecision = sessionRoute({ signIn, body: decisionSchema, invalid: 'The decision is malformed.' }, async ({ user, params, body: input, ip }) => {
  const pending = await db().authorizationRequest.findFirst({
    where: { id: params.id ?? '', userId: user.id, status: 'PENDING', expiresAt: { gt: new Date() } },
  });
  if (!pending) throw new ApiError(404, 'not_found', GONE);
  if (!matchesHash(input.consent_token, pending.consentTokenHash)) {
    throw new ApiError(403, 'csrf_rejected', 'This consent screen is out of date. Reload it and decide again.');
  }
  try {
    const redirectTo = await db().$transaction(async (tx) => {
      if (input.decision === 'deny') {
        return denyAuthorizationRequest(tx, { request: pending, userId: user.id, error: 'access_denied', description: 'The user denied the request.', ip });
      }
      const scopes = [...new Set(input.scopes)];
      if (scopes.length === 0) throw new ApiError(400, 'invalid_request', 'Choose at least one permission, or deny the request.');
      if (scopes.some((s) => !pending.scopes.includes(s))) {
        throw new ApiError(400, 'invalid_request', 'Only permissions the agent asked for can be granted.');
      }
      return approveAuthorizationRequest(tx, { request: pending, userId: user.id, scopes, remember: input.remember, ip });
    });
    return { redirect_to: redirectTo };
  } catch (error) {
    if (error instanceof AgentSuspendedError) throw new ApiError(409, 'conflict', 'You suspended this agent. Resume it on the Tokens page before allowing it again.');
    if (error instanceof AlreadyDecidedError) throw new ApiError(409, 'conflict', 'This request was already answered.');
    throw error;
  }
});

/**
 * POST /api/consent/:id/switch-account {consent_token}: "Not you? Switch account". The request goes
 * back to no one (lib/consent/release-authorization-request.ts); the page then signs out and sends
 * the browser to sign in again, returning to the same consent screen.
 */
export const handleSwitchConsentAccount = sessionRoute(
  { signIn, body: z.object({ consent_token: z.string().min(1).max(200) }), invalid: 'The request is malformed.' },
  async ({ user, params, body }) => {
    const released = await releaseAuthorizationRequest({ id: params.id ?? '', userId: user.id, consentToken: body.consent_token });
    if (!released) throw new ApiError(404, 'not_found', GONE);
    return { sign_in: `/sign-in?callbackUrl=${encodeURIComponent(`/consent/${params.id}`)}` };
  },
);
