// POST /api/admin/resources/{id}/secret: a new client secret for a resource server (administrators).
import { handleRotateResourceSecret } from '@/lib/endpoints/account/resources';

export const dynamic = 'force-dynamic';

export const POST = handleRotateResourceSecret;
