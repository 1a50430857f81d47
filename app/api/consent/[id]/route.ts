// POST /api/consent/:id: the user's decision on a pending authorization request.
import { handleConsentDecision } from '@/lib/endpoints/consent';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  return handleConsentDecision(request, (await context.params).id);
}
