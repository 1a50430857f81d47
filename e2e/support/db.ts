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
