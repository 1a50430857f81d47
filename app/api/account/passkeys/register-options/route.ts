// POST /api/account/passkeys/register-options: see lib/endpoints/account/second-factor.ts.
import { handlePasskeyRegisterOptions } from '@/lib/endpoints/account/second-factor';

export const dynamic = 'force-dynamic';

export const POST = handlePasskeyRegisterOptions;
