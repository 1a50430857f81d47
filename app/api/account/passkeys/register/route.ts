// POST /api/account/passkeys/register: see lib/account/handle-second-factor.ts.
import { handlePasskeyRegister } from '@/lib/account/handle-second-factor';

export const dynamic = 'force-dynamic';

export const POST = handlePasskeyRegister;
