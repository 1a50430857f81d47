// The hot cache's state (lib/cache/hot-cache.ts), shared through globalThis: the Next bundle and
// the fast path (server/fast-path.ts) are two module instances in one process, and must see one
// cache, one LISTEN connection and one set of markers. The entries (cache-entries.ts) and the
// invalidation connection (cache-listener.ts) each work on their part of it.
import 'server-only';
import crypto from 'node:crypto';
import type pg from 'pg';

/** How long an entry is served, whatever happens: a minute. */
export const TTL_MS = 60_000;
/** The prefix of a marker's payload (`heardOwnChanges` in cache-listener.ts). */
export const SYNC_PREFIX = 'sync:';

/** `reload`: the entry's own lookup again (`reloadWhenChanged`), started when a notification drops it. */
export type Entry<T> = { value: T; at: number; ids: string[]; reload: (() => unknown) | undefined };
export type Area = Map<string, Entry<unknown>>;
export type CacheState = {
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

const holder = globalThis as typeof globalThis & { leashHotCache?: CacheState };

/** A process's markers, with a prefix of its own (`heardOwnChanges`). */
const freshMarkers = (): CacheState['markers'] => ({ prefix: `${SYNC_PREFIX}${crypto.randomUUID()}:`, sent: 0, awaiting: new Map() });

export function cacheState(): CacheState {
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
