// A Leash server with a PostgreSQL of its own, for faults that would disturb every other test
// (terminated connections, a locked or read-only database, a killed process): the server can be
// restarted or killed on the same port with the same secrets, and `sql` reaches its database as a
// superuser (to arrange the fault and to check what the database holds afterwards).
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { findFreePort, startEmbeddedPostgres } from '../../scripts/lib/embedded-pg';
import { deployMigrations } from '../../scripts/lib/schema-engine';
import { spawnServer, type SpawnedServer } from './spawn-server';

export type OwnDatabaseServer = {
  baseURL: string;
  databaseUrl: string;
  /** The server's data folder (its secrets: a script run against its database needs them). */
  dataDir: string;
  /** The server process of the moment (a restart replaces it). */
  process: () => SpawnedServer;
  /** A small pool on the server's database, outside the server. */
  sql: pg.Pool;
  restart: (extraEnv?: Record<string, string>) => Promise<void>;
  stop: () => Promise<void>;
};

export async function serverWithOwnDatabase(label: string, env: Record<string, string> = {}): Promise<OwnDatabaseServer> {
  fs.mkdirSync('.leash-test', { recursive: true });
  const dir = fs.mkdtempSync(path.resolve('.leash-test', `${label}-`));
  fs.chmodSync(dir, 0o755);
  const database = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: await findFreePort(), database: 'leash', password: `${label}-test` });
  await deployMigrations({ databaseUrl: database.url });
  const port = await findFreePort();
  const dataDir = path.join(dir, 'data');
  const baseEnv = { DATABASE_URL: database.url, LEASH_ISSUER: `http://127.0.0.1:${port}`, LEASH_TRUSTED_PROXIES: '1', ...env };
  let server = await spawnServer(baseEnv, { port, dataDir });
  const sql = new pg.Pool({ connectionString: database.url, max: 3 });
  // The faults these tests cause end this pool's idle connections too.
  sql.on('error', () => {});
  return {
    baseURL: server.baseURL,
    databaseUrl: database.url,
    dataDir,
    process: () => server,
    sql,
    restart: async (extraEnv = {}) => {
      await server.stop();
      server = await spawnServer({ ...baseEnv, ...extraEnv }, { port, dataDir });
    },
    stop: async () => {
      await server.stop();
      await sql.end();
      await database.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
