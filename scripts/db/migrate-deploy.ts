// `npm run db:migrate:deploy`: applies pending migrations to DATABASE_URL (offline
// `prisma migrate deploy`). `npm start` does this by itself before serving.
import { deployMigrations } from '../lib/schema-engine';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is required (npm start applies migrations to the embedded database itself).');
  process.exit(2);
}
const { applied } = await deployMigrations({ databaseUrl, log: console.warn });
console.log(applied.length ? applied.map((n) => `Applied ${n}`).join('\n') : 'No pending migrations.');
