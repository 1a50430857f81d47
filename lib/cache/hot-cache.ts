// In-memory copies of what the machine-to-machine hot path reads on every request (issue 7): the
// presented token with its agent, grant and user state; a client by client_id; a user's policy for
// an agent. Kept exactly as fresh as revocation demands:
// - PostgreSQL announces every relevant change on `leash_cache` (triggers in the migration
//   cache_invalidation); one LISTEN connection per process drops the affected entries, on every
//   instance.
// - The code that revokes or suspends on this instance waits, after its commit and before it
//   answers, until this instance has heard that commit's notifications (`forgettingAfter`), so
//   nothing cached here outlives a revocation that returned.
// - The cache is used only while the LISTEN connection is up; losing it empties the cache and
//   sends every read to the database until it is back (a missed notification cannot matter).
// - A read that raced with an invalidation is not stored (a generation counter), and entries
//   expire after a minute whatever happens.
// Shared through globalThis: the Next bundle and the fast path (server/fast-path.ts) are two
// module instances in one process, and must see one cache.
import 'server-only';
import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { getConfig } from '@/lib/config/config';
import { dbPool } from '@/lib/db/client';
import { log } from '@/lib/log/logger';
import { countCacheLookup, noteListen } from '@/lib/metrics/metrics';

const MAX_ENTRIES = 20_000;
const SYNC_PREFIX = 'sync:';
const TTL_MS = 60_000;

/** `reload`: the entry's own lookup again (`reloadWhenChanged`), started when a notification drops it. */
type Entry<T> = { value: T; at: number; ids: string[]; reload: (() => unknown) | undefined };
type Area = Map<string, Entry<unknown>>;
type State = {
  areas: Map<string, Area>;
  generation: number;
  client: pg.Client | null;
  connecting: Promise<void> | null;
  retryMs: number;
  closed: boolean;
  /** A connection was up before (the next one is a reconnection, for the metrics). */
  everConnected: boolean;
  /** Reloads in flight that a notification started (`reloadWhenChanged`), at most MAX_RELOADS. */
  reloading: number;
  /** Loads in flight, by area and key, with the generation they started in (see `cached`). */
  loading: Map<string, { generation: number; value: Promise<unknown> }>;
  /** This process's markers (`heardOwnChanges`): their prefix, how many were sent, who awaits which. */
  markers: { prefix: string; sent: number; awaiting: Map<string, () => void> };
  /**
   * Which entries depend on each id (`<area>\0<key>`), so a notification finds its entries
   * without a scan: scanning 20,000 entries took 2.9 ms per notification, and a kill switch
   * revoking a thousand tokens sends a thousand.
   */
  dependents: Map<string, Set<string>>;
};

const holder = globalThis as typeof globalThis & { leashHotCache?: State };

/** A process's markers, with a prefix of its own (`heardOwnChanges`). */
const freshMarkers = (): State['markers'] => ({ prefix: `${SYNC_PREFIX}${crypto.randomUUID()}:`, sent: 0, awaiting: new Map() });

function state(): State {
  holder.leashHotCache ??= {
    areas: new Map(),
    generation: 0,
    client: null,
    connecting: null,
    retryMs: 250,
    closed: false,
    everConnected: false,
    reloading: 0,
    loading: new Map(),
    markers: freshMarkers(),
    dependents: new Map(),
  };
  const s = holder.leashHotCache;
  // A state left on globalThis by an earlier version of this module (a development server that
  // reloaded it) lacks the newer fields: its entries are not indexed, so they are dropped.
  if (!(s.dependents as Map<string, Set<string>> | undefined)) {
    for (const a of s.areas.values()) a.clear();
    s.loading = new Map();
    s.markers = freshMarkers();
    s.dependents = new Map();
  }
  return s;
}

/** An entry's name across areas: in the index (`dependents`) and among the loads in flight. */
const refOf = (areaName: string, key: string) => `${areaName}\0${key}`;

/** Stores an entry and indexes it under its ids (replacing an entry of that key, or evicting the oldest when full). */
function store(areaName: string, a: Area, key: string, entry: Entry<unknown>): void {
  const s = state();
  const old = a.get(key);
  if (old) remove(areaName, a, key, old);
  else if (a.size >= MAX_ENTRIES) {
    const [oldestKey, oldest] = a.entries().next().value!;
    remove(areaName, a, oldestKey, oldest);
  }
  a.set(key, entry);
  const ref = refOf(areaName, key);
  for (const id of entry.ids) {
    let refs = s.dependents.get(id);
    if (!refs) s.dependents.set(id, (refs = new Set()));
    refs.add(ref);
  }
}

/** Drops an entry and its place in the index. */
function remove(areaName: string, a: Area, key: string, entry: Entry<unknown>): void {
  const s = state();
  a.delete(key);
  const ref = refOf(areaName, key);
  for (const id of entry.ids) {
    const refs = s.dependents.get(id);
    refs?.delete(ref);
    if (refs?.size === 0) s.dependents.delete(id);
  }
}

function area(name: string): Area {
  const s = state();
  let found = s.areas.get(name);
  if (!found) s.areas.set(name, (found = new Map()));
  return found;
}

/** Drops every cached entry that depends on one of these ids (all entries without ids). */
export function forgetCached(...ids: string[]): void {
  drop(ids, false);
}

// At most this many reloads in flight (`reloadWhenChanged`): a kill switch that revokes a thousand
// tokens in one statement must not send a thousand reads at once; past it, an entry is only
// dropped, and its next use loads it as before.
const MAX_RELOADS = 8;

/** Drops what depends on `ids`; when `reload`, starts the lookup again of what asked for it. */
function drop(ids: string[], reload: boolean): void {
  const s = state();
  s.generation++;
  if (!ids.length) {
    for (const a of s.areas.values()) a.clear();
    s.dependents.clear();
    return;
  }
  for (const id of ids) {
    for (const ref of [...(s.dependents.get(id) ?? [])]) {
      const split = ref.indexOf('\0');
      const areaName = ref.slice(0, split);
      const key = ref.slice(split + 1);
      const a = s.areas.get(areaName);
      const entry = a?.get(key);
      if (!a || !entry) continue;
      remove(areaName, a, key, entry);
      // (Not an entry past its minute: nothing has used it lately.)
      if (reload && entry.reload && s.reloading < MAX_RELOADS && Date.now() - entry.at < TTL_MS) {
        const loading = entry.reload();
        if (loading instanceof Promise) {
          s.reloading++;
          loading.catch(() => {}).finally(() => s.reloading--);
        }
      }
    }
    s.dependents.delete(id);
  }
}

/**
 * The cached value for `key` in `areaName`, else `load()`'s, stored when it is not null and no
 * invalidation happened meanwhile. `dependsOn(value)` lists the ids whose change must drop it.
 *
 * Concurrent misses of one key share one load (a "single flight"): after an invalidation, the
 * requests of a busy agent would otherwise each read the same rows (25 connections, 25 identical
 * queries queued for the pool). A caller joins a load only if no invalidation happened since it
 * started, so what it gets is as fresh as an entry it could have found cached, and only while the
 * cache is on: when it is off (the LISTEN connection down), every read goes to the database itself.
 *
 * A hit is returned as it is, not in a promise: the hot path's callers take it without waiting a
 * turn (each promise costs a hook per AsyncLocalStorage in use; docs/performance.md).
 *
 * `reloadWhenChanged`: when a notification drops the entry, its lookup starts again at once, in the
 * background (at most MAX_RELOADS at a time), so the next request finds the changed row in memory
 * or joins its load, instead of reading it only when it arrives. A revoked token's refusal on
 * another instance then waits for one database round trip fewer: the read of the revoked row
 * overlaps the time the refusal's request spends reaching the instance and waiting its turn.
 * (The reload is counted as a miss, as the request's own lookup would have been.)
 */
export function cached<T>(areaName: string, key: string, load: () => Promise<T | null>, dependsOn: (value: T) => string[], options?: { reloadWhenChanged?: boolean }): T | Promise<T | null> {
  const s = state();
  const listening = s.client !== null;
  if (!listening) void ensureListening();
  const a = area(areaName);
  const hit = a.get(key);
  const now = Date.now();
  if (listening && hit && now - hit.at < TTL_MS) {
    countCacheLookup(areaName, 'hit');
    return hit.value as T;
  }
  countCacheLookup(areaName, listening ? 'miss' : 'bypass');
  // (A native promise whatever `load` gives: callers tell a hit by `instanceof Promise`, and a
  // Prisma query is a thenable that is not one.)
  if (!listening) return Promise.resolve(load());
  const flight = refOf(areaName, key);
  const inFlight = s.loading.get(flight);
  if (inFlight && inFlight.generation === s.generation) return inFlight.value as Promise<T | null>;
  const generation = s.generation;
  const value = load().then((loaded) => {
    if (loaded !== null && s.client !== null && s.generation === generation) {
      // (`reload` always present, undefined or not: one shape for every entry.)
      const reload = options?.reloadWhenChanged ? () => cached(areaName, key, load, dependsOn, options) : undefined;
      store(areaName, a, key, { value: loaded, at: now, ids: dependsOn(loaded), reload });
    }
    return loaded;
  });
  s.loading.set(flight, { generation, value });
  return value.finally(() => {
    if (s.loading.get(flight)?.value === value) s.loading.delete(flight);
  });
}

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
  if (colon > 0) drop([payload.slice(colon + 1)], true);
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
  const { awaiting } = state().markers;
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
  const { client, markers } = state();
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
  const s = state();
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

function ensureListening(): Promise<void> {
  const s = state();
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
  return state().client !== null;
}

/** Starts listening now (the first request would otherwise go uncached), and waits for it. */
export function startHotCache(): Promise<void> {
  state().closed = false;
  return ensureListening();
}

/** Closes the invalidation connection and empties the cache (tests, shutdown). */
export async function stopHotCache(): Promise<void> {
  const s = state();
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
