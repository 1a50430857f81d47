// Direct access to the test database, to arrange data and to assert what it holds afterwards.
import pg from 'pg';

let pool: pg.Pool | undefined;

export function testDb(): pg.Pool {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the end-to-end tests through `npm test`');
  pool ??= new pg.Pool({ connectionString: url, max: 2 });
  return pool;
}

export async function countUsers(email: string): Promise<number> {
  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email.toLowerCase()]);
  return rows[0].n;
}

// Changes made here bypass the app, as another instance's would: the app hears of them through
// `leash_cache` (lib/cache/hot-cache.ts) a moment later. `changeSeen` runs a statement that
// RETURNS a `cache_key` column (the id the notification carries: a token, grant, agent or user id,
// or `user_id:agent_id` for policies) and resolves once PostgreSQL has delivered the matching
// notifications, which reach the app's listener at the same time as this one.
type Listener = { seen: Set<string>; waiters: Set<() => void> };
const listeners = new Map<string, Promise<Listener>>();

/** One `LISTEN leash_cache` connection per database (the suite's, or a spec's own server's). */
function cacheListener(connectionString: string) {
  let listener = listeners.get(connectionString);
  if (!listener) {
    listener = (async () => {
      const client = new pg.Client({ connectionString });
      const state: Listener = { seen: new Set<string>(), waiters: new Set<() => void>() };
      client.on('notification', (message) => {
        const payload = message.payload ?? '';
        state.seen.add(payload.slice(payload.indexOf(':') + 1));
        for (const wake of state.waiters) wake();
      });
      // A spec's own database stops with its server: forget the connection, never crash the worker.
      client.on('error', () => listeners.delete(connectionString));
      await client.connect();
      await client.query('LISTEN leash_cache');
      return state;
    })();
    listeners.set(connectionString, listener);
  }
  return listener;
}

export async function changeSeen(sql: string, params: unknown[] = [], db: pg.Pool = testDb()): Promise<pg.QueryResult> {
  const state = await cacheListener((db as pg.Pool & { options: { connectionString: string } }).options.connectionString);
  const result = await db.query(sql, params);
  const keys: string[] = result.rows.map((r) => String(r.cache_key));
  if (!keys.length) throw new Error(`changeSeen: the statement changed nothing (${sql})`);
  const deadline = Date.now() + 5000;
  while (!keys.every((k) => state.seen.has(k))) {
    if (Date.now() > deadline) throw new Error(`changeSeen: no notification for ${keys.join(', ')}`);
    await new Promise<void>((resolve) => {
      const wake = () => {
        state.waiters.delete(wake);
        resolve();
      };
      state.waiters.add(wake);
      setTimeout(wake, 100);
    });
  }
  for (const k of keys) state.seen.delete(k);
  // The servers' listeners get the same notification on their own connections, but a request sent
  // right now can reach a server before its notification does (two sockets, no order between
  // them): a policy test saw the previous version decide once. A moment's margin for that.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return result;
}
