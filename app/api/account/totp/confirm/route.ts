// POST /api/account/totp/confirm {code}: finish enrolling; answers the recovery codes once.
import { handleTotpConfirm } from '@/lib/endpoints/account/second-factor';

export const dynamic = 'force-dynamic';

export const POST = handleTotpConfirm;
