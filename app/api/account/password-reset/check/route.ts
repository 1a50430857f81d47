// POST /api/account/password-reset/check {token}: whether a reset link still works, and for whom.
import { handleCheckPasswordReset } from '@/lib/endpoints/account/password';

export const dynamic = 'force-dynamic';

export const POST = handleCheckPasswordReset;
