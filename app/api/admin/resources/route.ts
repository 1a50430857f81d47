// GET /api/admin/resources, POST /api/admin/resources: the protected resources (administrators).
import { handleListResources, handleRegisterResource } from '@/lib/endpoints/account/resources';

export const dynamic = 'force-dynamic';

export const GET = handleListResources;
export const POST = handleRegisterResource;
