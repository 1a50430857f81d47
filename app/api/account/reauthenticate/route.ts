// POST /api/account/reauthenticate {password}: confirm the password again (prompt=login, max_age).
import { handleReauthenticate } from '@/lib/endpoints/account/second-factor';

export const dynamic = 'force-dynamic';

export const POST = handleReauthenticate;
