// POST /api/account/sign-up: create a human account (201, 400 invalid_request, 409 conflict).
import { handleSignUp } from '@/lib/endpoints/account/sign-up';

export const dynamic = 'force-dynamic';

export const POST = handleSignUp;
