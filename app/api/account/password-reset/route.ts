// POST /api/account/password-reset {token, new_password}: set a new password with a one-time link.
import { handleResetPassword } from '@/lib/endpoints/account/password';

export const dynamic = 'force-dynamic';

export const POST = handleResetPassword;
