// POST /api/account/delete {password, confirm}: delete the account; the audit log is kept.
import { handleDeleteAccount } from '@/lib/endpoints/account/delete';

export const dynamic = 'force-dynamic';

export const POST = handleDeleteAccount;
