// POST /access/v1/evaluations (OpenID AuthZEN Authorization API 1.0 §7).
import { handleAccessEvaluations } from '@/lib/endpoints/authzen';

export const dynamic = 'force-dynamic';

export const POST = handleAccessEvaluations;
