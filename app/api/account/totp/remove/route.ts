// POST /api/account/totp/remove {code}: remove the authenticator app.
import { handleTotpRemove } from '@/lib/endpoints/account/second-factor';

export const dynamic = 'force-dynamic';

export const POST = handleTotpRemove;
