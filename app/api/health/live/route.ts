// GET /api/health/live: liveness probe (lib/endpoints/health.ts).
import { handleLiveness } from '@/lib/endpoints/health';

export const dynamic = 'force-dynamic';

export const GET = handleLiveness;
