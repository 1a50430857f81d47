// The offline migration tooling (scripts/lib/schema-engine.ts) on a real PostgreSQL: a fresh
// database reaches the schema, a second run applies nothing, the committed migrations match
// the schema (every file of prisma/schema/), and an edited migration is refused.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigration, deployMigrations, diffMigrationsToSchema, MIGRATIONS_DIR, readMigrations, readSchemaFiles, SCHEMA_DIR } from '../scripts/lib/schema-engine';

const adminUrl = process.env.LEASH_TEST_ADMIN_URL!;
const created: string[] = [];
const tempDirs: string[] = [];

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(adminUrl);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function freshDatabase(): Promise<string> {
  const name = `leash_migrations_${crypto.randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  created.push(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function query(url: string, sql: string) {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function copyMigrations(): string {
  const dir = fs.mkdtempSync(path.resolve('.leash-test', 'migrations-'));
  tempDirs.push(dir);
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

const folders = readMigrations().migrationDirectories.map((d) => d.path);

beforeAll(() => fs.mkdirSync('.leash-test', { recursive: true }));

afterAll(async () => {
  await admin(async (c) => {
    for (const name of created) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('deployMigrations (offline `prisma migrate deploy`)', () => {
  it('brings a fresh database to the schema, then applies nothing on a second run', async () => {
    expect(folders.length).toBeGreaterThan(0);
    const url = await freshDatabase();

    const first = await deployMigrations({ databaseUrl: url });
    expect(first.applied).toEqual(folders);

    const recorded = await query(url, 'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name');
    expect(recorded.map((r) => r.migration_name)).toEqual(folders);
    for (const [i, row] of recorded.entries()) {
      const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, folders[i]!, 'migration.sql'));
      expect(row.checksum).toBe(crypto.createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
    }

    const tables = (await query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((r) => r.tablename);
    expect(tables).toEqual(
      expect.arrayContaining(['users', 'agents', 'grants', 'tokens', 'policies', 'audit_events', 'approval_requests', 'alerts', 'rate_limits', 'user_sessions', '_prisma_migrations']),
    );

    const second = await deployMigrations({ databaseUrl: url });
    expect(second.applied).toEqual([]);
    expect(await query(url, 'SELECT count(*)::int AS n FROM _prisma_migrations')).toEqual([{ n: folders.length }]);
  });

  it('refuses a migration edited after it was applied, and changes nothing', async () => {
    const url = await freshDatabase();
    await deployMigrations({ databaseUrl: url });
    const dir = copyMigrations();
    const file = path.join(dir, folders[0]!, 'migration.sql');
    fs.appendFileSync(file, '\nCREATE TABLE sneaky (id int);\n');
    fs.mkdirSync(path.join(dir, '99990101000000_later'));
    fs.writeFileSync(path.join(dir, '99990101000000_later', 'migration.sql'), 'CREATE TABLE later (id int);\n');

    await expect(deployMigrations({ databaseUrl: url, migrationsDir: dir })).rejects.toThrow(/modified after it was applied/);
    const tables = (await query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((r) => r.tablename);
    expect(tables).not.toContain('sneaky');
    expect(tables).not.toContain('later');
  });

  it('stops at a failing migration and records the failure, as Prisma does', async () => {
    const url = await freshDatabase();
    const dir = copyMigrations();
    fs.mkdirSync(path.join(dir, '99990101000000_broken'));
    fs.writeFileSync(path.join(dir, '99990101000000_broken', 'migration.sql'), 'CREATE TABLE users (id int);\n');
    await expect(deployMigrations({ databaseUrl: url, migrationsDir: dir })).rejects.toThrow(/99990101000000_broken/);
    const rows = await query(url, "SELECT finished_at FROM _prisma_migrations WHERE migration_name = '99990101000000_broken'");
    expect(rows).toEqual([{ finished_at: null }]);
    // A failed migration blocks later deploys until someone resolves it.
    await expect(deployMigrations({ databaseUrl: url, migrationsDir: dir })).rejects.toThrow(/failed/);
  });
});

describe('the migrations folder and the schema (prisma/schema/*.prisma)', () => {
  it('the schema is read from every file of its folder', () => {
    const files = readSchemaFiles().map((f) => f.path);
    expect(files).toEqual(
      fs
        .readdirSync(SCHEMA_DIR)
        .filter((f) => f.endsWith('.prisma'))
        .sort(),
    );
    expect(files).toEqual(expect.arrayContaining(['schema.prisma', 'auth.prisma', 'oauth.prisma', 'tokens.prisma', 'audit.prisma']));
  });

  it('agree: the schema has no change that lacks a migration', async () => {
    expect(await diffMigrationsToSchema({ databaseUrl: await freshDatabase() })).toBe('');
  });

  it('createMigration writes the next migration for a schema change, named as Prisma names it', async () => {
    const dir = copyMigrations();
    // A copy of the schema folder with one more file: a change in any file of the folder counts.
    const schema = fs.mkdtempSync(path.resolve('.leash-test', 'schema-'));
    tempDirs.push(schema);
    fs.cpSync(SCHEMA_DIR, schema, { recursive: true });
    fs.writeFileSync(path.join(schema, 'widgets.prisma'), 'model Widget {\n  id Int @id\n  @@map("widgets")\n}\n');
    const url = await freshDatabase();
    const result = await createMigration({
      name: 'Add widgets!',
      databaseUrl: url,
      migrationsDir: dir,
      schemaDir: schema,
      now: new Date('2030-01-02T03:04:05Z'),
    });
    expect(result.dir).toBe(path.join(dir, '20300102030405_add_widgets'));
    expect(result.sql).toContain('CREATE TABLE "widgets"');
    expect(fs.readFileSync(path.join(result.dir!, 'migration.sql'), 'utf8')).toBe(result.sql);
    // Nothing more to create once the migration exists.
    const again = await createMigration({ name: 'again', databaseUrl: url, migrationsDir: dir, schemaDir: schema });
    expect(again).toEqual({ dir: null, sql: '' });
  });
});
