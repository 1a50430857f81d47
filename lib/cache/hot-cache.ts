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
// The state is shared through globalThis (cache-state.ts); the entries and their index are in
// cache-entries.ts, the LISTEN connection and the markers in cache-listener.ts.
import 'server-only';
import { area, refOf, store } from './cache-entries';
import { ensureListening } from './cache-listener';
import { TTL_MS, cacheState } from './cache-state';
import { countCacheLookup } from '@/lib/metrics/metrics';

export { forgetCached } from './cache-entries';
export { forgettingAfter, isCaching, startHotCache, stopHotCache } from './cache-listener';

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
  const s = cacheState();
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
