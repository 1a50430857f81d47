// The benchmark's "fair" peer stores its state here (issue 16 §3): node-oidc-provider's adapter
// interface (one instance per model: upsert, find, findByUid, findByUserCode, consume, destroy,
// revokeByGrantId) over ONE PostgreSQL table, the way a deployment that must survive a restart or
// run several processes persists it. Written for the bench (node-oidc-provider ships only its
// in-memory adapter, which it says not to use in production); no cleanup of expired rows: a bench
// run is short, and `find` ignores them.
import pg from 'pg';

/** What oidc-provider hands to `upsert` and expects back from `find` (a model's JSON payload). */
export type AdapterPayload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: unknown };

const SCHEMA = 'oidc_peer';
const TABLE = `${SCHEMA}.oidc_payloads`;

/** Creates the schema and its one table when missing (the peer calls it on start). */
export async function createPeerSchema(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
    CREATE TABLE IF NOT EXISTS ${TABLE} (
      id text NOT NULL,
      type text NOT NULL,
      payload jsonb NOT NULL,
      grant_id text,
      user_code text,
      uid text,
      expires_at timestamptz,
      consumed_at timestamptz,
      PRIMARY KEY (id, type)
    );
    CREATE INDEX IF NOT EXISTS oidc_payloads_grant_id ON ${TABLE} (grant_id, type) WHERE grant_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS oidc_payloads_user_code ON ${TABLE} (user_code, type) WHERE user_code IS NOT NULL;
    CREATE INDEX IF NOT EXISTS oidc_payloads_uid ON ${TABLE} (uid, type) WHERE uid IS NOT NULL;
  `);
}

// Named statements: each pooled connection prepares them once, as a production adapter would.
const FIND_COLUMNS = `payload, extract(epoch FROM consumed_at)::bigint AS consumed`;
const LIVE = `(expires_at IS NULL OR expires_at > now())`;
const statements = {
  upsert: `INSERT INTO ${TABLE} (id, type, payload, grant_id, user_code, uid, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
           ON CONFLICT (id, type) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, user_code = EXCLUDED.user_code,
             uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
  find: `SELECT ${FIND_COLUMNS} FROM ${TABLE} WHERE id = $1 AND type = $2 AND ${LIVE}`,
  findByUid: `SELECT ${FIND_COLUMNS} FROM ${TABLE} WHERE uid = $1 AND type = $2 AND ${LIVE} LIMIT 1`,
  findByUserCode: `SELECT ${FIND_COLUMNS} FROM ${TABLE} WHERE user_code = $1 AND type = $2 AND ${LIVE} LIMIT 1`,
  consume: `UPDATE ${TABLE} SET consumed_at = now() WHERE id = $1 AND type = $2`,
  destroy: `DELETE FROM ${TABLE} WHERE id = $1 AND type = $2`,
  revokeByGrantId: `DELETE FROM ${TABLE} WHERE grant_id = $1 AND type = $2`,
} as const;

type Row = { payload: AdapterPayload; consumed: string | null };

/** `new PostgresAdapter(pool)` gives the class oidc-provider instantiates once per model name. */
export function postgresAdapter(pool: pg.Pool) {
  const run = (name: keyof typeof statements, values: unknown[]) => pool.query<Row>({ name: `oidc_peer_${name}`, text: statements[name], values });
  const first = (result: pg.QueryResult<Row>): AdapterPayload | undefined => {
    const row = result.rows[0];
    if (!row) return undefined;
    // A consumed artifact (authorization code, refresh token…) comes back with `consumed` set, as
    // oidc-provider checks it (its in-memory adapter stores the epoch seconds).
    return row.consumed === null ? row.payload : { ...row.payload, consumed: Number(row.consumed) };
  };

  return class PostgresAdapter {
    constructor(readonly model: string) {}

    /** `expiresIn`: seconds until the model expires (undefined: never). */
    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const expires = typeof expiresIn === 'number' ? Math.ceil(expiresIn) : null;
      await run('upsert', [id, this.model, payload, payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expires]);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return first(await run('find', [id, this.model]));
    }

    /** Sessions only. */
    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return first(await run('findByUid', [uid, this.model]));
    }

    /** Device codes only. */
    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return first(await run('findByUserCode', [userCode, this.model]));
    }

    async consume(id: string): Promise<void> {
      await run('consume', [id, this.model]);
    }

    async destroy(id: string): Promise<void> {
      await run('destroy', [id, this.model]);
    }

    /** Called on each grant-bound model (access and refresh tokens, codes…) when a grant is revoked. */
    async revokeByGrantId(grantId: string): Promise<void> {
      await run('revokeByGrantId', [grantId, this.model]);
    }
  };
}
