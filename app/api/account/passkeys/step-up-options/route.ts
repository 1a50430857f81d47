// POST /api/account/passkeys/step-up-options: see lib/endpoints/account/second-factor.ts.
import { handlePasskeyStepUpOptions } from '@/lib/endpoints/account/second-factor';

export const dynamic = 'force-dynamic';

export const POST = handlePasskeyStepUpOptions;
