// The Approvals inbox's JSON routes: the pending list, approve / deny for the signed-in user's own
// requests (anything else is 404), and the passkey options for approving one request. Approving
// needs a second factor proven for that request (lib/approvals/decide-approval.ts): the body
// carries `code` (authenticator or recovery code) or `passkey` (an assertion over the options from
// /passkey-options, whose challenge carries the request's digest). Without one: 403
// second_factor_required.
import 'server-only';
import { z } from 'zod';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { getCurrentUser } from '@/lib/auth/session';
import { passkeyAuthenticationOptions, verifyPasskey } from '@/lib/auth/passkeys';
import { approvalDigest, decideApproval, denyApprovals, findUserApproval } from '@/lib/approvals/decide-approval';
import { listApprovalHistory, listPendingApprovals } from '@/lib/approvals/list-pending-approvals';
import { recordFailure, verifyTypedCode } from '@/lib/endpoints/account/second-factor';
import { ApiError, apiErrorResponse, readJsonBody } from '@/lib/http/api-error';
import { clientIp } from '@/lib/http/client-ip';

const noStore = { 'Cache-Control': 'no-store' };
type IdContext = { params: Promise<{ id: string }> };

const proofSchema = z
  .object({
    code: z.string().trim().min(6).max(20).optional(),
    passkey: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export async function handleListApprovals(): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to see your approvals.');
    const [approvals, history] = await Promise.all([listPendingApprovals({ userId: user.id }), listApprovalHistory({ userId: user.id })]);
    return Response.json({ approvals, history }, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

async function requestId(context: IdContext): Promise<string> {
  const { id } = await context.params;
  if (!z.uuid().safeParse(id).success) throw new ApiError(404, 'not_found', 'No such request.');
  return id;
}

export function handleDecideApproval(approve: boolean) {
  return async (request: Request, context: IdContext): Promise<Response> => {
    try {
      const user = await getCurrentUser();
      if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to answer.');
      const id = await requestId(context);
      // Deny needs no body; approve carries its proof (an empty body proves nothing).
      const hasBody = (request.headers.get('content-length') ?? '0') !== '0' || request.headers.has('content-type');
      const parsed = proofSchema.safeParse(hasBody ? await readJsonBody(request) : {});
      if (!parsed.success) throw new ApiError(400, 'invalid_request', 'Send {"code": "..."} or {"passkey": {...}} to approve.');
      const proof = parsed.data;
      const ip = clientIp(request.headers);
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
        return Response.json(
          { error: 'second_factor_required', message: 'Approving needs your second factor, confirmed for this request: type a code from your authenticator app or use a passkey.' },
          { status: 403, headers: noStore },
        );
      }
      if (outcome === 'second_factor_failed') throw new ApiError(400, 'invalid_request', 'The passkey could not be verified for this request. Try again.');
      if (outcome === 'already_decided') throw new ApiError(409, 'conflict', 'This request was already answered.');
      if (outcome === 'expired') throw new ApiError(409, 'conflict', 'This request has expired; the agent must ask again.');
      return Response.json({ status: outcome }, { headers: noStore });
    } catch (error) {
      return apiErrorResponse(error);
    }
  };
}

/** POST /api/account/approvals/{id}/passkey-options: a WebAuthn challenge bound to this request. */
export async function handleApprovalPasskeyOptions(_request: Request, context: IdContext): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to answer.');
    const pending = await findUserApproval(user.id, await requestId(context));
    if (!pending) throw new ApiError(404, 'not_found', 'No such request.');
    if (pending.status !== 'PENDING') throw new ApiError(409, 'conflict', 'This request was already answered.');
    const options = await passkeyAuthenticationOptions(user, approvalDigest(pending));
    if (!options) throw new ApiError(404, 'not_found', 'You have no passkey yet: add one in Settings.');
    return Response.json(options, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

/** POST /api/account/approvals/deny {ids}: deny several of the user's pending requests at once. */
export async function handleDenyApprovals(request: Request): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to answer.');
    const body = z.object({ ids: z.array(z.uuid()).min(1).max(100) }).strict().safeParse(await readJsonBody(request));
    if (!body.success) throw new ApiError(400, 'invalid_request', 'Send {"ids": [...]} with the requests to deny.');
    const denied = await denyApprovals({ userId: user.id, ids: body.data.ids, ip: clientIp(request.headers) });
    return Response.json({ denied }, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}
