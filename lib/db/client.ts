// The Prisma client (Prisma 7, Rust-free) over one `pg` pool per process. The pool is shared with
// the few places that talk to PostgreSQL directly (rate limits, LISTEN/NOTIFY later).
import 'server-only';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { getConfig } from '@/lib/config/config';
import { log } from '@/lib/log/logger';
import { watchPool } from '@/lib/metrics/metrics';

type Database = { pool: pg.Pool; prisma: PrismaClient };

// Survives Next's module re-evaluation in development, so connections are not leaked.
const holder = globalThis as typeof globalThis & { leashDatabase?: Database };

function open(): Database {
  const url = getConfig().databaseUrl;
  if (!url) {
    throw new Error('DATABASE_URL is not set: start Leash with `npm start`, which provides the database');
  }
  const timeouts = getConfig().databaseTimeouts;
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Fail fast and closed when the database is unreachable, instead of queueing requests: this
    // also bounds the wait for a free connection when all ten are busy.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    // A slow or locked database must not hold requests (and the pool's ten connections) for as long
    // as it likes: PostgreSQL cancels a statement that runs longer than LEASH_DB_STATEMENT_TIMEOUT
    // (SQLSTATE 57014) or waits for a lock longer than LEASH_DB_LOCK_TIMEOUT (55P03), the
    // transaction rolls back, and the request answers 503 with Retry-After
    // (lib/db/is-database-unavailable.ts). Sent as startup parameters, so they hold for every
    // statement of every connection of this pool; 0 leaves the server's own setting.
    statement_timeout: timeouts.statementMs || undefined,
    lock_timeout: timeouts.lockMs || undefined,
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', (error) => log('db').error({ err: error }, 'idle client error'));
  // leash_db_pool_connections and leash_db_pool_waiting read it when scraped.
  watchPool(pool);
  return { pool, prisma: new PrismaClient({ adapter: new PrismaPg(pool) }) };
}

/** The Prisma client. Opened lazily so that `next build` never needs a database. */
export function db(): PrismaClient {
  holder.leashDatabase ??= open();
  return holder.leashDatabase.prisma;
}

/** The underlying pool, for libraries that take a `pg` client. */
export function dbPool(): pg.Pool {
  holder.leashDatabase ??= open();
  return holder.leashDatabase.pool;
}

/** Closes this process's connections (launcher scripts, tests). */
export async function closeDb(): Promise<void> {
  const open = holder.leashDatabase;
  holder.leashDatabase = undefined;
  if (!open) return;
  await open.prisma.$disconnect();
  await open.pool.end();
}
