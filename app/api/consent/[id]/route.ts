// POST /api/consent/:id: the user's decision on a pending authorization request.
import { handleConsentDecision } from '@/lib/endpoints/consent';

export const dynamic = 'force-dynamic';

export const POST = handleConsentDecision;
