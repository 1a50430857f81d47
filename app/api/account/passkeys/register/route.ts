// POST /api/account/passkeys/register: see lib/endpoints/account/second-factor.ts.
import { handlePasskeyRegister } from '@/lib/endpoints/account/second-factor';

export const dynamic = 'force-dynamic';

export const POST = handlePasskeyRegister;
