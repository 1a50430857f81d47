// The hot cache's entries (lib/cache/hot-cache.ts): stored under an area and a key, indexed by the
// ids whose change must drop them, and dropped by id when a notification names one.
import 'server-only';
import { type Area, type Entry, TTL_MS, cacheState } from './cache-state';

const MAX_ENTRIES = 20_000;

// At most this many reloads in flight (`reloadWhenChanged`): a kill switch that revokes a thousand
// tokens in one statement must not send a thousand reads at once; past it, an entry is only
// dropped, and its next use loads it as before.
const MAX_RELOADS = 8;

/** An entry's name across areas: in the index (`dependents`) and among the loads in flight. */
export const refOf = (areaName: string, key: string) => `${areaName}\0${key}`;

/** Stores an entry and indexes it under its ids (replacing an entry of that key, or evicting the oldest when full). */
export function store(areaName: string, a: Area, key: string, entry: Entry<unknown>): void {
  const s = cacheState();
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
  const s = cacheState();
  a.delete(key);
  const ref = refOf(areaName, key);
  for (const id of entry.ids) {
    const refs = s.dependents.get(id);
    refs?.delete(ref);
    if (refs?.size === 0) s.dependents.delete(id);
  }
}

export function area(name: string): Area {
  const s = cacheState();
  let found = s.areas.get(name);
  if (!found) s.areas.set(name, (found = new Map()));
  return found;
}

/** Drops every cached entry that depends on one of these ids (all entries without ids). */
export function forgetCached(...ids: string[]): void {
  dropDependents(ids, false);
}

/** Drops what depends on `ids`; when `reload`, starts the lookup again of what asked for it. */
export function dropDependents(ids: string[], reload: boolean): void {
  const s = cacheState();
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
