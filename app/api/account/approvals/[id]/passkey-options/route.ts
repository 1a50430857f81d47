// POST /api/account/approvals/{id}/passkey-options: WebAuthn options whose challenge carries the request's digest.
import { handleApprovalPasskeyOptions } from '@/lib/endpoints/account/approvals';

export const dynamic = 'force-dynamic';

export const POST = handleApprovalPasskeyOptions;
