// POST /api/account/passkeys/step-up: see lib/endpoints/account/second-factor.ts.
import { handlePasskeyStepUp } from '@/lib/endpoints/account/second-factor';

export const dynamic = 'force-dynamic';

export const POST = handlePasskeyStepUp;
