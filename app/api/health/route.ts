// GET /api/health: 200 when the database answers, 503 when it does not.
import { handleHealth } from '@/lib/endpoints/health';

export const dynamic = 'force-dynamic';

export const GET = handleHealth;
