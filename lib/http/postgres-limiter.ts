// Rate limiters whose counters live in PostgreSQL (DECISIONS 9), so every app instance shares them.
import 'server-only';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { dbPool } from '@/lib/db/client';

export function postgresLimiter(options: { keyPrefix: string; points: number; duration: number }): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: dbPool(),
    storeType: 'pool',
    tableName: 'rate_limits',
    // The table is created by the migrations (prisma/schema/deployment.prisma, model RateLimit).
    tableCreated: true,
    ...options,
  });
}
