// POST /api/account/sessions/revoke-others: end every session of the user but this one.
import { handleRevokeOtherSessions } from '@/lib/endpoints/account/sessions';

export const dynamic = 'force-dynamic';

export const POST = handleRevokeOtherSessions;
