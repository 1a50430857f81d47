// Prisma CLI configuration (Prisma 7). Offline, only `prisma generate` is used through the CLI;
// migrations go through scripts/db/* (Prisma's schema engine in WebAssembly), see README.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  // A folder: the schema is split by domain into prisma/schema/*.prisma.
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/leash' },
});
