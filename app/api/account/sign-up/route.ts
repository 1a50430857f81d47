// POST /api/account/sign-up: create a human account (201, 400 invalid_request, 409 conflict).
import { handleSignUp } from '@/lib/account/handle-sign-up';

export const dynamic = 'force-dynamic';

export const POST = handleSignUp;
