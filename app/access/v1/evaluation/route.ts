// POST /access/v1/evaluation (OpenID AuthZEN Authorization API 1.0 §6).
import { handleAccessEvaluation } from '@/lib/endpoints/authzen';

export const dynamic = 'force-dynamic';

export const POST = handleAccessEvaluation;
