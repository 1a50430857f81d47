// POST /api/consent/:id/switch-account: hand the pending request back before signing in as someone else.
import { handleSwitchConsentAccount } from '@/lib/endpoints/consent';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  return handleSwitchConsentAccount(request, (await context.params).id);
}
