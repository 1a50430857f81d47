// POST /api/account/passkeys/register-options: see lib/account/handle-second-factor.ts.
import { handlePasskeyRegisterOptions } from '@/lib/account/handle-second-factor';

export const dynamic = 'force-dynamic';

export const POST = handlePasskeyRegisterOptions;
