// POST /ssf/verify: the Shared Signals Verification Endpoint (SSF 1.0 §8.1.4.2).
import { handleVerify } from '@/lib/endpoints/ssf/verify';

export const dynamic = 'force-dynamic';

export const POST = handleVerify;
