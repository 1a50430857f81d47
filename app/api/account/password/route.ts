// POST /api/account/password {current_password, new_password}: change the password; other sessions end.
import { handleChangePassword } from '@/lib/endpoints/account/password';

export const dynamic = 'force-dynamic';

export const POST = handleChangePassword;
