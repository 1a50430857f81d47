// The Approvals inbox's JSON routes: the pending list, and approve / deny for the signed-in user's
// own requests (anything else is 404). Approving from a password-only session answers 403
// step_up_required: the page sends the user through /step-up first.
import 'server-only';
import { z } from 'zod';
import { getCurrentUser } from '@/lib/auth/session';
import { decideApproval } from '@/lib/approvals/decide-approval';
import { listPendingApprovals } from '@/lib/approvals/list-pending-approvals';
import { ApiError, apiErrorResponse } from '@/lib/http/api-error';
import { clientIp } from '@/lib/http/client-ip';

const noStore = { 'Cache-Control': 'no-store' };
type IdContext = { params: Promise<{ id: string }> };

export async function handleListApprovals(): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to see your approvals.');
    return Response.json({ approvals: await listPendingApprovals({ userId: user.id }) }, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

export function handleDecideApproval(approve: boolean) {
  return async (request: Request, context: IdContext): Promise<Response> => {
    try {
      const user = await getCurrentUser();
      if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to answer.');
      const { id } = await context.params;
      if (!z.uuid().safeParse(id).success) throw new ApiError(404, 'not_found', 'No such request.');
      const outcome = await decideApproval({ userId: user.id, sessionAcr: user.acr, id, approve, ip: clientIp(request.headers) });
      if (outcome === 'not_found') throw new ApiError(404, 'not_found', 'No such request.');
      if (outcome === 'step_up') {
        return Response.json({ error: 'step_up_required', message: 'Confirm it is you with your second factor first.' }, { status: 403, headers: noStore });
      }
      if (outcome === 'already_decided') throw new ApiError(409, 'conflict', 'This request was already answered.');
      if (outcome === 'expired') throw new ApiError(409, 'conflict', 'This request has expired; the agent must ask again.');
      return Response.json({ status: outcome }, { headers: noStore });
    } catch (error) {
      return apiErrorResponse(error);
    }
  };
}
