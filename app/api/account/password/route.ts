// POST /api/account/password {current_password, new_password}: change the password; other sessions end.
import { handleChangePassword } from '@/lib/account/handle-password';

export const dynamic = 'force-dynamic';

export const POST = handleChangePassword;
