// POST /api/consent/:id — the user's Allow or Deny. Needs the signed-in user the request is bound
// to, a same-origin request (proxy.ts), and the consent token of the screen they saw (CSRF). The
// answer tells the browser where to go; the page navigates there itself (a form redirect to the
// agent's origin would be blocked by CSP form-action).
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { getCurrentUser } from '@/lib/auth/session';
import { AgentSuspendedError, AlreadyDecidedError, approveAuthorizationRequest } from '@/lib/consent/approve-authorization-request';
import { denyAuthorizationRequest } from '@/lib/consent/deny-authorization-request';
import { ApiError, apiErrorResponse, readJsonBody } from '@/lib/http/api-error';
import { clientIp } from '@/lib/http/client-ip';
import { matchesHash } from '@/lib/tokens/opaque-token';
import { releaseAuthorizationRequest } from '@/lib/consent/release-authorization-request';

const decisionSchema = z.object({
  decision: z.enum(['allow', 'deny']),
  scopes: z.array(z.string().max(100)).max(20).default([]),
  remember: z.boolean().default(false),
  consent_token: z.string().min(1).max(200),
});

export async function handleConsentDecision(request: Request, id: string): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to answer this request.');
    const parsed = decisionSchema.safeParse(await readJsonBody(request));
    if (!parsed.success) throw new ApiError(400, 'invalid_request', 'The decision is malformed.');
    const input = parsed.data;
    const pending = await db().authorizationRequest.findFirst({
      where: { id, userId: user.id, status: 'PENDING', expiresAt: { gt: new Date() } },
    });
    if (!pending) throw new ApiError(404, 'not_found', 'This request has expired or was already answered.');
    if (!matchesHash(input.consent_token, pending.consentTokenHash)) {
      throw new ApiError(403, 'csrf_rejected', 'This consent screen is out of date. Reload it and decide again.');
    }
    const ip = clientIp(request.headers);
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
    return Response.json({ redirect_to: redirectTo }, { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    if (error instanceof AgentSuspendedError) {
      return apiErrorResponse(new ApiError(409, 'conflict', 'You suspended this agent. Resume it on the Tokens page before allowing it again.'));
    }
    if (error instanceof AlreadyDecidedError) {
      return apiErrorResponse(new ApiError(409, 'conflict', 'This request was already answered.'));
    }
    return apiErrorResponse(error);
  }
}

/**
 * POST /api/consent/:id/switch-account {consent_token}: "Not you? Switch account". The request goes
 * back to no one (lib/consent/release-authorization-request.ts); the page then signs out and sends
 * the browser to sign in again, returning to the same consent screen.
 */
export async function handleSwitchConsentAccount(request: Request, id: string): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to answer this request.');
    const parsed = z.object({ consent_token: z.string().min(1).max(200) }).safeParse(await readJsonBody(request));
    if (!parsed.success) throw new ApiError(400, 'invalid_request', 'The request is malformed.');
    const released = await releaseAuthorizationRequest({ id, userId: user.id, consentToken: parsed.data.consent_token });
    if (!released) throw new ApiError(404, 'not_found', 'This request has expired or was already answered.');
    return Response.json({ sign_in: `/sign-in?callbackUrl=${encodeURIComponent(`/consent/${id}`)}` }, { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return apiErrorResponse(error);
  }
}
