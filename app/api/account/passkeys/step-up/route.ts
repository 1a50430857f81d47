// POST /api/account/passkeys/step-up: see lib/account/handle-second-factor.ts.
import { handlePasskeyStepUp } from '@/lib/account/handle-second-factor';

export const dynamic = 'force-dynamic';

export const POST = handlePasskeyStepUp;
