// The hot cache's invalidation connection (lib/cache/hot-cache.ts): one LISTEN connection per
// process on `leash_cache`, whose notifications drop the entries that depend on the changed ids,
// and the markers by which code that revokes waits until this instance has heard its own changes.
// The cache is used only while this connection is up; losing it empties the cache and sends every
// read to the database until it is back (a missed notification cannot matter).
import 'server-only';
import fs from 'node:fs';
import pg from 'pg';
import { dropDependents, forgetCached } from './cache-entries';
import { SYNC_PREFIX, cacheState } from './cache-state';
import { getConfig } from '@/lib/config/config';
import { dbPool } from '@/lib/db/client';
import { log } from '@/lib/log/logger';
import { noteListen } from '@/lib/metrics/metrics';

// LEASH_TRACE_INVALIDATIONS=<file>: each notification's arrival (epoch ms, then the payload) is
// appended to the file, for `npm run bench` to tell how long a revocation took to reach this
// instance apart from how long the instance took to answer (scripts/bench/latency.ts). Unset in
// production: one check per notification.
const traceFile = process.env.LEASH_TRACE_INVALIDATIONS;

function onNotification(payload: string): void {
  if (traceFile) fs.appendFileSync(traceFile, `${(performance.timeOrigin + performance.now()).toFixed(3)} ${payload}\n`);
  // Another instance's (or this one's) marker (`heardOwnChanges`): nothing to forget.
  if (payload.startsWith(SYNC_PREFIX)) {
    markerHeard(payload);
    return;
  }
  // '<kind>:<id>', or 'policy:<user_id>:<agent_id>' (policies are cached under that pair).
  const colon = payload.indexOf(':');
  if (colon > 0) dropDependents([payload.slice(colon + 1)], true);
}

// This instance's changes, heard before it answers. PostgreSQL delivers the notifications of
// different transactions in the order they committed (NOTIFY, "Notes"). So a marker notified
// after a transaction committed, from any connection, reaches the LISTEN connection after that
// transaction's notifications: once it is heard, every entry that depended on a row the
// transaction changed has been dropped here, as on every other instance. (Sent through the pool:
// the LISTEN connection's last query stays its LISTEN, which is how operators and the soak test
// tell it apart in pg_stat_activity.)
// The markers live on globalThis with the rest: the module instance that connected (and so hears)
// may not be the one that waits.
const SYNC_TIMEOUT_MS = 1_000;

function markerHeard(payload: string): void {
  const { awaiting } = cacheState().markers;
  const heard = awaiting.get(payload);
  awaiting.delete(payload);
  heard?.();
}

/**
 * Resolves true once this instance has heard every cache notification committed before the call;
 * false when it cannot tell (no LISTEN connection, the marker not sent, or not heard within a
 * second), and the caller must then drop everything.
 */
async function heardOwnChanges(): Promise<boolean> {
  const { client, markers } = cacheState();
  if (!client) return false;
  const marker = `${markers.prefix}${++markers.sent}`;
  const heard = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      markers.awaiting.delete(marker);
      resolve(false);
    }, SYNC_TIMEOUT_MS);
    timer.unref();
    markers.awaiting.set(marker, () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  try {
    await dbPool().query({ name: 'leash-cache-marker', text: 'SELECT pg_notify($1, $2)', values: ['leash_cache', marker] });
  } catch {
    markerHeard(marker);
    return false;
  }
  return heard;
}

async function connect(): Promise<void> {
  const s = cacheState();
  const client = new pg.Client({ connectionString: getConfig().databaseUrl, connectionTimeoutMillis: 3000 });
  const lost = () => {
    if (s.client === client) {
      s.client = null;
      noteListen('leash_cache', 'lost');
    }
    forgetCached();
    // Whoever waits for a marker on this connection will not hear it; the cache is empty now.
    for (const marker of [...s.markers.awaiting.keys()]) markerHeard(marker);
    client.end().catch(() => {});
    if (!s.closed) setTimeout(() => void ensureListening(), s.retryMs).unref();
    s.retryMs = Math.min(s.retryMs * 2, 10_000);
  };
  client.on('error', (error) => {
    log('cache').error({ err: error }, 'invalidation connection lost');
    lost();
  });
  client.on('end', lost);
  client.on('notification', (message) => onNotification(message.payload ?? ''));
  try {
    await client.connect();
    await client.query('LISTEN leash_cache');
  } catch (error) {
    lost();
    throw error;
  }
  // Anything cached before this connection existed may have missed a notification.
  forgetCached();
  s.client = client;
  noteListen('leash_cache', s.everConnected ? 'reconnected' : 'connected');
  s.everConnected = true;
  s.retryMs = 250;
}

export function ensureListening(): Promise<void> {
  const s = cacheState();
  if (s.client || s.closed) return Promise.resolve();
  s.connecting ??= connect()
    .catch(() => {})
    .finally(() => {
      s.connecting = null;
    });
  return s.connecting;
}

/** Whether cached reads are being served (the invalidation connection is up). For tests. */
export function isCaching(): boolean {
  return cacheState().client !== null;
}

/** Starts listening now (the first request would otherwise go uncached), and waits for it. */
export function startHotCache(): Promise<void> {
  cacheState().closed = false;
  return ensureListening();
}

/** Closes the invalidation connection and empties the cache (tests, shutdown). */
export async function stopHotCache(): Promise<void> {
  const s = cacheState();
  s.closed = true;
  const client = s.client;
  s.client = null;
  if (client) noteListen('leash_cache', 'closed');
  forgetCached();
  await client?.end().catch(() => {});
}

/**
 * Runs a write that revokes or suspends something and, once it has committed (or failed), waits
 * until this instance has heard the notifications of what it changed, before the caller answers:
 * the entries that depended on those rows are gone, and nothing else. Other instances hear the
 * same notifications on their own. If this instance cannot hear them (no LISTEN connection, or
 * the marker not back within a second), it empties its cache instead.
 */
export async function forgettingAfter<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } finally {
    if (!(await heardOwnChanges())) forgetCached();
  }
}
