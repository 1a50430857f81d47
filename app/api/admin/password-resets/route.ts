// POST /api/admin/password-resets {email}: an administrator makes a one-time password reset link.
import { handleIssuePasswordReset } from '@/lib/endpoints/account/password';

export const dynamic = 'force-dynamic';

export const POST = handleIssuePasswordReset;
