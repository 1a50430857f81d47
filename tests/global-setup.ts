// Vitest global setup: make sure a real PostgreSQL is there for the integration tests.
// `npm test` (scripts/test.ts) starts one and passes LEASH_TEST_ADMIN_URL and DATABASE_URL; when
// Vitest is run on its own, this starts a throw-away embedded server in .leash-test/.
import fs from 'node:fs';
import path from 'node:path';
import { findFreePort, startEmbeddedPostgres } from '../scripts/lib/embedded-pg';
import { deployMigrations } from '../scripts/lib/schema-engine';

export default async function setup() {
  if (process.env.LEASH_TEST_ADMIN_URL && process.env.DATABASE_URL) return;
  const dir = path.resolve('.leash-test', `vitest-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const db = await startEmbeddedPostgres({ dir, port: await findFreePort(), database: 'leash_test', password: 'leash-test' });
  await deployMigrations({ databaseUrl: db.url });
  process.env.LEASH_TEST_ADMIN_URL = db.adminUrl;
  process.env.DATABASE_URL = db.url;
  process.env.LEASH_DATA_DIR = path.join(dir, 'data');
  return async () => {
    await db.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
