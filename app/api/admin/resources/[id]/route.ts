// DELETE /api/admin/resources/{id}: remove a registered API and revoke its tokens (administrators).
import { handleRemoveResource } from '@/lib/endpoints/account/resources';

export const dynamic = 'force-dynamic';

export const DELETE = handleRemoveResource;
