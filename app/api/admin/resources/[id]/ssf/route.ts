// GET /api/admin/resources/{id}/ssf: the resource's Shared Signals stream and recent deliveries (admins).
import { handleResourceSsf } from '@/lib/endpoints/account/resource-ssf';

export const dynamic = 'force-dynamic';

export const GET = handleResourceSsf;
