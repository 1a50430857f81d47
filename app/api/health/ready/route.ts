// GET /api/health/ready: readiness probe (lib/endpoints/health.ts).
import { handleReadiness } from '@/lib/endpoints/health';

export const dynamic = 'force-dynamic';

export const GET = handleReadiness;
