// The hot path's cache against the real database: a change made behind the app's back (another
// instance, a direct SQL statement) drops the cached entry as soon as PostgreSQL announces it; a
// lost invalidation connection turns the cache off.
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cached, forgetCached, forgettingAfter, isCaching, startHotCache, stopHotCache } from './hot-cache';
import { dbPool } from '@/lib/db/client';
import { closeDb } from '@/lib/db/client';

let other: pg.Client;
beforeAll(async () => {
  await startHotCache();
  other = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await other.connect();
});
afterAll(async () => {
  await other.end();
  await stopHotCache();
  await closeDb();
});

/** The cache's LISTEN connection (lib/cache/hot-cache.ts keeps its state on globalThis). */
function listeningClient(): pg.Client & { processID: number } {
  return (globalThis as { leashHotCache?: { client: (pg.Client & { processID: number }) | null } }).leashHotCache!.client!;
}

/** Waits until the cache has dropped `key` (the notification travels asynchronously). */
async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
  expect(await check()).toBe(true);
}

/** A load answering `{ n }` for its n-th call; from call `heldFrom` on, each waits until its gate (in `gates`, in call order) is opened. */
function heldLoad(heldFrom: number) {
  let n = 0;
  const gates: (() => void)[] = [];
  const load = async () => {
    const call = ++n;
    if (call >= heldFrom) await new Promise<void>((r) => gates.push(r));
    return { n: call };
  };
  return { load, gates, calls: () => n };
}

describe('hot cache', () => {
  it('serves repeated reads from memory and drops them when a notification names a dependency', async () => {
    const id = crypto.randomUUID();
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect(isCaching()).toBe(true);
    expect(await cached('t', id, load, () => [id])).toEqual({ n: 1 });
    expect(await cached('t', id, load, () => [id])).toEqual({ n: 1 });
    await other.query(`SELECT pg_notify('leash_cache', 'agent:' || $1::text)`, [id]);
    await until(async () => (await cached('t', id, load, () => [id]))!.n === 2);
  });

  it('the triggers announce a change to a cached row: a user suspended by another connection', async () => {
    const user = await other.query(`INSERT INTO users (id, email, password_hash, updated_at) VALUES (gen_random_uuid(), $1, 'x', now()) RETURNING id`, [
      `cache-${crypto.randomBytes(4).toString('hex')}@example.test`,
    ]);
    const id: string = user.rows[0].id;
    let loads = 0;
    const load = async () => ({ n: ++loads });
    await cached('u', `token-of-${id}`, load, () => [id]);
    expect(await cached('u', `token-of-${id}`, load, () => [id])).toEqual({ n: 1 });
    await other.query(`UPDATE users SET status = 'SUSPENDED' WHERE id = $1`, [id]);
    await until(async () => (await cached('u', `token-of-${id}`, load, () => [id]))!.n === 2);
  });

  it('does not store a read that raced with an invalidation', async () => {
    const id = crypto.randomUUID();
    let loads = 0;
    const load = async () => {
      loads++;
      forgetCached(id);
      return { n: loads };
    };
    await cached('r', id, load, () => [id]);
    await cached('r', id, load, () => [id]);
    expect(loads).toBe(2);
  });

  it('a notification drops exactly the entries that depend on its id, in every area', async () => {
    const [x, y, z] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const loads = new Map<string, number>();
    const read = (areaName: string, key: string, ids: string[]) =>
      cached(
        areaName,
        key,
        async () => {
          loads.set(key, (loads.get(key) ?? 0) + 1);
          return { key };
        },
        () => ids,
      );
    const all = async () => {
      await read('ix-p', `k1-${x}`, [x, y]);
      await read('ix-q', `k2-${x}`, [x]);
      await read('ix-p', `k3-${x}`, [y]);
      await read('ix-q', `k4-${x}`, [z]);
    };
    const count = (k: string) => loads.get(`${k}-${x}`) ?? 0;
    await all();
    await all();
    expect([count('k1'), count('k2'), count('k3'), count('k4')]).toEqual([1, 1, 1, 1]);
    forgetCached(x);
    await all();
    // k1 and k2 depended on x; k3 shares y with k1 and stays; k4 is unrelated.
    expect([count('k1'), count('k2'), count('k3'), count('k4')]).toEqual([2, 2, 1, 1]);
    forgetCached(y);
    await all();
    // k1, stored again with [x, y], is found under y too.
    expect([count('k1'), count('k2'), count('k3'), count('k4')]).toEqual([3, 2, 2, 1]);
  });

  it('an entry evicted to make room leaves the index', async () => {
    const ids = Array.from({ length: 20_005 }, () => crypto.randomUUID());
    for (const id of ids)
      await cached(
        'ix-full',
        id,
        async () => ({ id }),
        () => [id],
      );
    const dependents = (globalThis as { leashHotCache?: { dependents: Map<string, Set<string>> } }).leashHotCache!.dependents;
    // The cache holds 20,000 per area: the first five went, with their place in the index.
    expect(ids.slice(0, 5).some((id) => dependents.has(id))).toBe(false);
    expect(ids.slice(5).every((id) => dependents.has(id))).toBe(true);
    forgetCached(...ids);
    expect(ids.some((id) => dependents.has(id))).toBe(false);
  });

  it('concurrent misses of one key share one load', async () => {
    const id = crypto.randomUUID();
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const load = async () => {
      loads++;
      await gate;
      return { n: loads };
    };
    const answers = Array.from({ length: 25 }, () => cached('s', id, load, () => [id]));
    release();
    expect(await Promise.all(answers)).toEqual(Array.from({ length: 25 }, () => ({ n: 1 })));
    expect(loads).toBe(1);
    // Stored: the next read is a hit.
    expect(await cached('s', id, load, () => [id])).toEqual({ n: 1 });
    expect(loads).toBe(1);
  });

  it('a miss after an invalidation does not join a load that started before it', async () => {
    const id = crypto.randomUUID();
    const { load, calls, gates } = heldLoad(1);
    const before = cached('j', id, load, () => [id]);
    const joined = cached('j', id, load, () => [id]);
    // A revocation of a dependency lands while that load is in flight (it may have read the row
    // before the change): a request arriving now must read again.
    forgetCached(id);
    const after = cached('j', id, load, () => [id]);
    await until(async () => gates.length === 2);
    for (const open of gates) open();
    expect(await before).toEqual({ n: 1 });
    expect(await joined).toEqual({ n: 1 });
    expect(await after).toEqual({ n: 2 });
    expect(calls()).toBe(2);
    // The stale load was not stored; the fresh one was.
    expect(await cached('j', id, load, () => [id])).toEqual({ n: 2 });
  });

  it('an entry asked to be reloaded is read again as soon as a notification drops it, before anyone asks', async () => {
    const id = crypto.randomUUID();
    const loads = { kept: 0, dropped: 0 };
    const read = (key: 'kept' | 'dropped', reloadWhenChanged: boolean) =>
      cached(
        `w-${key}`,
        id,
        async () => ({ n: ++loads[key] }),
        () => [id],
        { reloadWhenChanged },
      );
    await read('kept', true);
    await read('dropped', false);
    await other.query(`SELECT pg_notify('leash_cache', 'token:' || $1::text)`, [id]);
    await until(async () => loads.kept === 2);
    // Reloaded and stored: the next lookup is a hit, answered without a promise.
    expect(read('kept', true)).toEqual({ n: 2 });
    // The entry without the option was only dropped: its next use reads it.
    expect(loads.dropped).toBe(1);
    expect(await read('dropped', false)).toEqual({ n: 2 });
  });

  it('a request arriving during the reload joins it: one read for the notification and the request', async () => {
    const id = crypto.randomUUID();
    const { load, calls, gates } = heldLoad(2);
    await cached('v', id, load, () => [id], { reloadWhenChanged: true });
    await other.query(`SELECT pg_notify('leash_cache', 'token:' || $1::text)`, [id]);
    await until(async () => gates.length === 1);
    const arriving = cached('v', id, load, () => [id], { reloadWhenChanged: true });
    expect(arriving).toBeInstanceOf(Promise);
    gates[0]!();
    expect(await arriving).toEqual({ n: 2 });
    expect(calls()).toBe(2);
  });

  it('a notification dropping many reloadable entries reloads at most 8 at once; the others load when used', async () => {
    const id = crypto.randomUUID();
    const keys = Array.from({ length: 12 }, (_, i) => `${id}-${i}`);
    const started: string[] = [];
    const gates: (() => void)[] = [];
    let holding = false;
    const read = (key: string) =>
      cached(
        'k',
        key,
        async () => {
          if (holding) {
            started.push(key);
            await new Promise<void>((r) => gates.push(r));
          }
          return { key };
        },
        () => [id],
        { reloadWhenChanged: true },
      );
    for (const key of keys) await read(key);
    holding = true;
    // An agent's suspension drops every token of it: twelve entries, one notification.
    await other.query(`SELECT pg_notify('leash_cache', 'agent:' || $1::text)`, [id]);
    await until(async () => started.length === 8);
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toHaveLength(8);
    holding = false;
    for (const open of gates) open();
    await until(async () => keys.slice(0, 8).every((key) => !(read(key) instanceof Promise)));
    // The four past the bound were dropped only: each loads on its next use.
    for (const key of keys.slice(8)) expect(read(key)).toBeInstanceOf(Promise);
  });

  it('a failed load fails every caller that joined it, and the next miss loads again', async () => {
    const id = crypto.randomUUID();
    let loads = 0;
    let fail = true;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      if (fail) throw new Error('database down');
      return { n: loads };
    };
    const answers = await Promise.allSettled([cached('f', id, load, () => [id]), cached('f', id, load, () => [id])]);
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected']);
    expect(loads).toBe(1);
    fail = false;
    expect(await cached('f', id, load, () => [id])).toEqual({ n: 2 });
  });

  it('a write wrapped in forgettingAfter has dropped what depends on its rows when it returns, and nothing else', async () => {
    const user = await other.query(`INSERT INTO users (id, email, password_hash, updated_at) VALUES (gen_random_uuid(), $1, 'x', now()) RETURNING id`, [
      `forget-${crypto.randomBytes(4).toString('hex')}@example.test`,
    ]);
    const id: string = user.rows[0].id;
    const unrelated = crypto.randomUUID();
    let loads = 0;
    const load = async () => ({ n: ++loads });
    await cached('w', `token-of-${id}`, load, () => [id]);
    await cached('w', unrelated, load, () => [unrelated]);
    expect(loads).toBe(2);
    // The LISTEN connection busy in a statement: PostgreSQL holds a session's notifications until
    // its transaction ends, so the UPDATE's arrives about 300 ms after its commit. forgettingAfter
    // must wait for it all the same (it did not wait, its marker query done, when this was written).
    const busy = listeningClient().query('SELECT pg_sleep(0.3)');
    // Committed through the pool, as the app's writes are; no waiting after it returns.
    await forgettingAfter(dbPool().query(`UPDATE users SET status = 'SUSPENDED' WHERE id = $1`, [id]));
    expect(await cached('w', `token-of-${id}`, load, () => [id])).toEqual({ n: 3 });
    await busy;
    expect(await cached('w', unrelated, load, () => [unrelated])).toEqual({ n: 2 });
    // A write that failed (nothing committed) still returns its error, and drops nothing.
    await expect(forgettingAfter(dbPool().query('SELECT 1/0'))).rejects.toThrow(/division by zero/);
    expect(await cached('w', unrelated, load, () => [unrelated])).toEqual({ n: 2 });
  });

  it('stops caching while the invalidation connection is down, and resumes once it is back', async () => {
    const id = crypto.randomUUID();
    let loads = 0;
    const load = async () => ({ n: ++loads });
    await cached('d', id, load, () => [id]);
    await other.query('SELECT pg_terminate_backend($1)', [listeningClient().processID]);
    await until(async () => !isCaching());
    await cached('d', id, load, () => [id]);
    await cached('d', id, load, () => [id]);
    expect(loads).toBeGreaterThanOrEqual(3);
    // Read straight from the database, and still a native promise when the load is only a thenable
    // (a Prisma query): callers tell a hit from a read by \`instanceof Promise\`.
    const thenable = { then: (resolve: (value: { n: number }) => void) => resolve({ n: -1 }) } as unknown as Promise<{ n: number }>;
    const bypassed = cached(
      'd',
      id,
      () => thenable,
      () => [id],
    );
    expect(bypassed).toBeInstanceOf(Promise);
    expect(await bypassed).toEqual({ n: -1 });
    // Nothing to hear it on: a revocation does not wait for a marker (it would wait a second).
    const started = performance.now();
    await forgettingAfter(Promise.resolve());
    expect(performance.now() - started).toBeLessThan(500);
    await until(async () => isCaching());
  });
});
