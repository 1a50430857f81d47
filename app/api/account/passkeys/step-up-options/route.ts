// POST /api/account/passkeys/step-up-options: see lib/account/handle-second-factor.ts.
import { handlePasskeyStepUpOptions } from '@/lib/account/handle-second-factor';

export const dynamic = 'force-dynamic';

export const POST = handlePasskeyStepUpOptions;
