// `npm run db:migrate:create -- <name>`: writes the next SQL migration from the schema
// (every file of prisma/schema/)
// (offline `prisma migrate dev --create-only`). The migrations are replayed in a shadow database:
// on SHADOW_DATABASE_URL's server when given, else on a throw-away embedded PostgreSQL.
import fs from 'node:fs';
import path from 'node:path';
import { findFreePort, startEmbeddedPostgres } from '../lib/embedded-pg';
import { createMigration } from '../lib/schema-engine';
import { ROOT } from '../lib/prepare';

const name = process.argv[2];
if (!name) {
  console.error('usage: npm run db:migrate:create -- <name>');
  process.exit(2);
}

let url = process.env.SHADOW_DATABASE_URL;
let stop = async () => {};
if (!url) {
  const dir = path.join(ROOT, '.leash-test', `migrate-create-${process.pid}`);
  const db = await startEmbeddedPostgres({ dir, port: await findFreePort(), database: 'shadow', password: 'shadow' });
  url = db.url;
  stop = async () => {
    await db.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
try {
  const result = await createMigration({ name, databaseUrl: url });
  console.log(result.dir ? `Created ${path.relative(ROOT, result.dir)}/migration.sql` : 'No schema changes: nothing to create.');
} finally {
  await stop();
}
