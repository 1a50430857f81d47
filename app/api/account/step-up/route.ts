// POST /api/account/step-up {code}: prove a second factor; this session becomes multi-factor.
import { handleStepUp } from '@/lib/endpoints/account/second-factor';

export const dynamic = 'force-dynamic';

export const POST = handleStepUp;
