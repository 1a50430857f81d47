// GET /api/admin/resources/{id}/ssf: a protected resource's Shared Signals stream and its recent
// SETs with every delivery attempt, for the admin's Resources screen (administrators only).
import 'server-only';
import { ApiError } from '@/lib/http/api-error';
import { findProtectedResourceById } from '@/lib/protected-resources/registry';
import { sessionRoute } from '@/lib/endpoints/session-route';
import { listStreamDeliveries } from '@/lib/ssf/list-stream-deliveries';

export const handleResourceSsf = sessionRoute(
  { signIn: 'Sign in to see Shared Signals deliveries.', admin: 'Only an administrator can see Shared Signals deliveries.', id: 'No such resource.' },
  async ({ id }) => {
    if (!(await findProtectedResourceById(id))) throw new ApiError(404, 'not_found', 'No such resource.');
    return listStreamDeliveries(id);
  },
);
