// GET /api/account/audit: one keyset page of the user's audit records (filters in the query).
import { handleAuditSearch } from '@/lib/endpoints/account/audit';

export const dynamic = 'force-dynamic';

export const GET = handleAuditSearch;
