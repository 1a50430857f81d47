// POST /api/consent/:id/switch-account: hand the pending request back before signing in as someone else.
import { handleSwitchConsentAccount } from '@/lib/endpoints/consent';

export const dynamic = 'force-dynamic';

export const POST = handleSwitchConsentAccount;
