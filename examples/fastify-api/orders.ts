// The example API's data: orders in a PostgreSQL schema of its own (`FASTIFY_API_SCHEMA`, default
// `fastify_api`), created at start, in whatever database `DATABASE_URL` names: the same database
// Leash uses is fine, the two never touch each other's tables. Every query is scoped to the person
// the agent acts for (the token's `sub`): one person's agent never sees another person's orders.
import pg from 'pg';

export type Order = { id: string; description: string; amount: string; currency: string; status: 'open' | 'cancelled'; created_by_agent: string; intent: string | null; created_at: string };

export function createOrderStore(databaseUrl: string, schema: string) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`FASTIFY_API_SCHEMA must be a plain lowercase identifier, not ${schema}`);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 3000 });
  const table = `"${schema}".orders`;
  const columns = `id::text, description, amount::text, currency, status, created_by_agent, intent, created_at`;
  return {
    async migrate(): Promise<void> {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner text NOT NULL,
        description text NOT NULL,
        amount numeric(12, 2) NOT NULL CHECK (amount > 0),
        currency char(3) NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled')),
        created_by_agent text NOT NULL,
        intent text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
      await pool.query(`CREATE INDEX IF NOT EXISTS orders_owner_idx ON ${table} (owner, created_at)`);
    },
    async list(owner: string): Promise<Order[]> {
      return (await pool.query(`SELECT ${columns} FROM ${table} WHERE owner = $1 ORDER BY created_at, id`, [owner])).rows;
    },
    async find(owner: string, id: string): Promise<Order | null> {
      return (await pool.query(`SELECT ${columns} FROM ${table} WHERE owner = $1 AND id = $2`, [owner, id])).rows[0] ?? null;
    },
    async create(owner: string, input: { description: string; amount: string; currency: string; agent: string; intent: string | null }): Promise<Order> {
      const { rows } = await pool.query(`INSERT INTO ${table} (owner, description, amount, currency, created_by_agent, intent) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`, [
        owner,
        input.description,
        input.amount,
        input.currency,
        input.agent,
        input.intent,
      ]);
      return rows[0];
    },
    async cancel(owner: string, id: string): Promise<Order | null> {
      return (await pool.query(`UPDATE ${table} SET status = 'cancelled' WHERE owner = $1 AND id = $2 RETURNING ${columns}`, [owner, id])).rows[0] ?? null;
    },
    close: () => pool.end(),
  };
}
