// The Approvals inbox's JSON routes: the pending list, approve / deny for the signed-in user's own
// requests (anything else is 404), and the passkey options for approving one request. Approving
// needs a second factor proven for that request (lib/approvals/decide-approval.ts): the body
// carries `code` (authenticator or recovery code) or `passkey` (an assertion over the options from
// /passkey-options, whose challenge carries the request's digest). Without one: 403
// second_factor_required.
import 'server-only';
import { z } from 'zod';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { passkeyAuthenticationOptions, verifyPasskey } from '@/lib/auth/passkeys';
import { approvalDigest, decideApproval, denyApprovals, findUserApproval } from '@/lib/approvals/decide-approval';
import { listApprovalHistory, listPendingApprovals } from '@/lib/approvals/list-pending-approvals';
import { recordFailure, verifyTypedCode } from '@/lib/endpoints/account/second-factor';
import { emitEvent } from '@/lib/events/leash-events';
import { ApiError, readJsonBody } from '@/lib/http/api-error';
import { noStoreJson, sessionRoute } from '@/lib/endpoints/session-route';

const signIn = 'Sign in to answer.';

const proofSchema = z
  .object({
    code: z.string().trim().min(6).max(20).optional(),
    passkey: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const handleListApprovals = sessionRoute({ signIn: 'Sign in to see your approvals.' }, async ({ user }) => {
  const [approvals, history] = await Promise.all([listPendingApprovals({ userId: user.id }), listApprovalHistory({ userId: user.id })]);
  return { approvals, history };
});

export function handleDecideApproval(approve: boolean) {
  return sessionRoute({ signIn, id: 'No such request.' }, async ({ request, user, id, ip }) => {
    // Deny needs no body; approve carries its proof (an empty body proves nothing).
    const hasBody = (request.headers.get('content-length') ?? '0') !== '0' || request.headers.has('content-type');
    const parsed = proofSchema.safeParse(hasBody ? await readJsonBody(request) : {});
    if (!parsed.success) throw new ApiError(400, 'invalid_request', 'Send {"code": "..."} or {"passkey": {...}} to approve.');
    const proof = parsed.data;
    const outcome = await decideApproval({
      userId: user.id,
      id,
      approve,
      ip,
      prove: async (pending) => {
        if (proof.code) return verifyTypedCode(request, user.id, proof.code);
        if (proof.passkey) {
          if (await verifyPasskey(user, proof.passkey as unknown as AuthenticationResponseJSON, approvalDigest(pending))) return 'passkey';
          await recordFailure(request, user.id, 'the passkey');
          return false;
        }
        return null;
      },
    });
    if (outcome === 'not_found') throw new ApiError(404, 'not_found', 'No such request.');
    if (outcome === 'second_factor_required') {
      return noStoreJson(
        { error: 'second_factor_required', message: 'Approving needs your second factor, confirmed for this request: type a code from your authenticator app or use a passkey.' },
        { status: 403 },
      );
    }
    if (outcome === 'second_factor_failed') throw new ApiError(400, 'invalid_request', 'The passkey could not be verified for this request. Try again.');
    if (outcome === 'already_decided') throw new ApiError(409, 'conflict', 'This request was already answered.');
    if (outcome === 'expired') throw new ApiError(409, 'conflict', 'This request has expired; the agent must ask again.');
    // Decided, its row committed: the metrics listen (lib/events).
    void emitEvent('elevation.decided', { userId: user.id, outcome, count: 1 });
    return { status: outcome };
  });
}

/** POST /api/account/approvals/{id}/passkey-options: a WebAuthn challenge bound to this request. */
export const handleApprovalPasskeyOptions = sessionRoute({ signIn, id: 'No such request.' }, async ({ user, id }) => {
  const pending = await findUserApproval(user.id, id);
  if (!pending) throw new ApiError(404, 'not_found', 'No such request.');
  if (pending.status === 'EXPIRED') throw new ApiError(409, 'conflict', 'This request has expired; the agent must ask again.');
  if (pending.status !== 'PENDING') throw new ApiError(409, 'conflict', 'This request was already answered.');
  const options = await passkeyAuthenticationOptions(user, approvalDigest(pending));
  if (!options) throw new ApiError(404, 'not_found', 'You have no passkey yet: add one in Settings.');
  return options;
});

/** POST /api/account/approvals/deny {ids}: deny several of the user's pending requests at once. */
export const handleDenyApprovals = sessionRoute(
  { signIn, body: z.object({ ids: z.array(z.uuid()).min(1).max(100) }).strict(), invalid: 'Send {"ids": [...]} with the requests to deny.' },
  async ({ user, body, ip }) => {
    const denied = await denyApprovals({ userId: user.id, ids: body.ids, ip });
    if (denied) void emitEvent('elevation.decided', { userId: user.id, outcome: 'denied', count: denied });
    return { denied };
  },
);
