// The hot path's cache against the real database: a change made behind the app's back (another
// instance, a direct SQL statement) drops the cached entry as soon as PostgreSQL announces it; a
// lost invalidation connection turns the cache off.
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cached, forgetCached, isCaching, startHotCache, stopHotCache } from './hot-cache';
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

/** Waits until the cache has dropped `key` (the notification travels asynchronously). */
async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
  expect(await check()).toBe(true);
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

  it('stops caching while the invalidation connection is down, and resumes once it is back', async () => {
    const id = crypto.randomUUID();
    let loads = 0;
    const load = async () => ({ n: ++loads });
    await cached('d', id, load, () => [id]);
    await other.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN leash_cache' AND pid <> pg_backend_pid()`);
    await until(async () => !isCaching());
    await cached('d', id, load, () => [id]);
    await cached('d', id, load, () => [id]);
    expect(loads).toBeGreaterThanOrEqual(3);
    await until(async () => isCaching());
  });
});
