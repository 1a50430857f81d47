// POST /api/account/totp/start: begin enrolling an authenticator app.
import { handleTotpStart } from '@/lib/endpoints/account/second-factor';

export const dynamic = 'force-dynamic';

export const POST = handleTotpStart;
