// GET /api/health: liveness with a database round trip, for load balancers and operators.
import 'server-only';
import { db } from '@/lib/db/client';

const DATABASE_TIMEOUT_MS = 2000;

export async function handleHealth(_request: Request): Promise<Response> {
  const headers = { 'Cache-Control': 'no-store' };
  const started = performance.now();
  try {
    await withTimeout(db().$queryRaw`SELECT 1`, DATABASE_TIMEOUT_MS);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    return Response.json({ status: 'ok', database: { status: 'ok', latency_ms: latencyMs } }, { headers });
  } catch (error) {
    // The cause is for the operator's log; the body says what is wrong without internals.
    console.error('[health] database check failed:', error instanceof Error ? error.message : error);
    return Response.json(
      {
        status: 'unavailable',
        database: { status: 'unreachable', message: 'The database is not reachable. Leash refuses requests until it is.' },
      },
      { status: 503, headers: { ...headers, 'Retry-After': '5' } },
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
