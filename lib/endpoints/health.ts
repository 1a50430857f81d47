// Health probes (issue 19 §2), for load balancers, Kubernetes and operators:
// - GET /api/health/live: the process is alive and its event loop turns. No database: a database
//   outage must not get every instance restarted.
// - GET /api/health/ready: this instance should receive traffic: not shutting down, the database
//   answers, every migration this build knows is applied, and the cache-invalidation LISTEN
//   connection is up (lib/cache/hot-cache.ts). 503 with `Retry-After` otherwise, naming what fails.
// - GET /api/health: the database round trip alone (kept for existing monitors).
import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { db } from '@/lib/db/client';
import { log } from '@/lib/log/logger';
import { phase } from '@/lib/ops/lifecycle';
import { isCaching } from '@/lib/cache/hot-cache';
import type { MachineRequest } from '@/lib/http/machine-request';

const DATABASE_TIMEOUT_MS = 2000;
const headers = { 'Cache-Control': 'no-store' };
const unavailable = (body: unknown) => Response.json(body, { status: 503, headers: { ...headers, 'Retry-After': '5' } });

export async function handleHealth(_request: MachineRequest): Promise<Response> {
  const database = await checkDatabase();
  if (database.status !== 'ok') return unavailable({ status: 'unavailable', database });
  return Response.json({ status: 'ok', database }, { headers });
}

export async function handleLiveness(_request: MachineRequest): Promise<Response> {
  return Response.json({ status: 'ok', phase: phase(), uptime_s: Math.round(process.uptime()) }, { headers });
}

export async function handleReadiness(_request: MachineRequest): Promise<Response> {
  if (phase() !== 'serving') return unavailable({ status: 'draining', message: 'This instance is shutting down.' });
  const database = await checkDatabase();
  const migrations = database.status === 'ok' ? await checkMigrations() : { status: 'unknown' as const };
  const listen = isCaching() ? { status: 'ok' as const } : { status: 'down' as const, message: 'The cache-invalidation LISTEN connection is not up.' };
  const checks = { database, migrations, listen };
  const ready = Object.values(checks).every((check) => check.status === 'ok');
  return ready ? Response.json({ status: 'ready', ...checks }, { headers }) : unavailable({ status: 'not_ready', ...checks });
}

type Check = { status: 'ok'; latency_ms?: number } | { status: string; message?: string; pending?: string[] };

async function checkDatabase(): Promise<Check> {
  const started = performance.now();
  try {
    await withTimeout(db().$queryRaw`SELECT 1`, DATABASE_TIMEOUT_MS);
    return { status: 'ok', latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    // The cause is for the operator's log; the body says what is wrong without internals.
    log('health').error({ err: error }, 'database check failed');
    return { status: 'unreachable', message: 'The database is not reachable. Leash refuses requests until it is.' };
  }
}

const holder = globalThis as typeof globalThis & { leashMigrationsApplied?: boolean };

/** Every migration folder of this build has a finished, not rolled back, row in `_prisma_migrations`. */
async function checkMigrations(): Promise<Check> {
  if (holder.leashMigrationsApplied) return { status: 'ok' };
  const known = fs
    .readdirSync(path.join(process.cwd(), 'prisma', 'migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  try {
    const rows = await withTimeout(
      db().$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      DATABASE_TIMEOUT_MS,
    );
    const applied = new Set(rows.map((row) => row.migration_name));
    const pending = known.filter((name) => !applied.has(name)).sort();
    if (pending.length) return { status: 'pending', message: 'Apply the pending migrations: npm run db:migrate:deploy', pending };
    // Migrations are never unapplied under a running server: once true, checked no more.
    holder.leashMigrationsApplied = true;
    return { status: 'ok' };
  } catch (error) {
    log('health').error({ err: error }, 'migration check failed');
    return { status: 'unknown', message: 'Could not read the applied migrations.' };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
