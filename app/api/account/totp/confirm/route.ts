// POST /api/account/totp/confirm {code}: finish enrolling; answers the recovery codes once.
import { handleTotpConfirm } from '@/lib/account/handle-second-factor';

export const dynamic = 'force-dynamic';

export const POST = handleTotpConfirm;
