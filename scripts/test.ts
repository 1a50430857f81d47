// `npm test`: every test, against a PostgreSQL of its own (own port, own data folder under
// .leash-test/, removed afterwards): never the developer's database.
//   0. Static checks: formatting (Prettier) and lint (ESLint), cached (scripts/lib/checks.ts).
//   1. Prisma client and production build, when sources changed (Playwright tests the build).
//   2. Embedded PostgreSQL 17 with migrations applied and the demo account seeded.
//   3. Vitest: unit and integration tests.   4. Playwright: HTTP and browser tests (Chromium).
// `npm test -- unit` or `npm test -- e2e` runs one half. Extra arguments after that go to the runner.
// The checks run with `npm test` and `npm test -- unit`, not with `-- e2e` (re-running browser or
// HTTP specs while fixing them); LEASH_CHECKS=0 skips them.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { playwrightCounts, vitestCounts, type Counts } from './lib/test-counts';
import { buildIfNeeded, generatePrismaClient, ROOT } from './lib/prepare';
import { findFreePort, startEmbeddedPostgres } from './lib/embedded-pg';
import { deployMigrations } from './lib/schema-engine';
import { runChecks } from './lib/checks';

const [which = 'all', ...passThrough] = process.argv.slice(2);
const runUnit = which === 'all' || which === 'unit';
const runE2e = which === 'all' || which === 'e2e';
if (!runUnit && !runE2e) {
  console.error('usage: npm test [-- unit|e2e [runner arguments]]');
  process.exit(2);
}

const log = (line: string) => console.log(`[test] ${line}`);

function runner(command: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  if (runUnit && process.env.LEASH_CHECKS !== '0' && !(await runChecks(log))) {
    console.error('[test] Static checks failed: no test was run.');
    process.exit(1);
  }
  generatePrismaClient(log);
  if (runE2e) buildIfNeeded(log);

  const runDir = path.join(ROOT, '.leash-test', `run-${process.pid}`);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  const database = await startEmbeddedPostgres({
    dir: path.join(runDir, 'postgres'),
    port: await findFreePort(),
    database: 'leash_test',
    password: 'leash-test',
  });
  log(`PostgreSQL for this run: 127.0.0.1:${database.port}, data in ${path.relative(ROOT, runDir)}`);
  const counts: Counts[] = [];
  let failed = false;
  try {
    await deployMigrations({ databaseUrl: database.url });
    const appPort = await findFreePort();
    // A port for the test's own Client ID Metadata Document server, allowlisted for the app.
    const cimdPort = await findFreePort();
    // The second server of the e2e run, with the fast path off (playwright.config.ts, `api-next`).
    const nextMountPort = await findFreePort();
    // The test's webhook receiver, allowlisted for the app (alert webhooks).
    const webhookPort = await findFreePort();
    // The interop matrix's own metadata-document server (e2e/interop/), allowlisted like cimdPort.
    const interopCimdPort = await findFreePort();
    // The test's Shared Signals receiver (e2e/api/ssf.spec.ts), allowlisted for the app's pushes.
    const ssfPort = await findFreePort();
    // The example Fastify API (examples/fastify-api) the browser suite starts, allowlisted for Shared Signals pushes.
    const fastifyApiPort = await findFreePort();
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      LEASH_TEST_ADMIN_URL: database.adminUrl,
      LEASH_DATA_DIR: path.join(runDir, 'data'),
      LEASH_DEMO: '1',
      PORT: String(appPort),
      LEASH_ISSUER: `http://localhost:${appPort}`,
      LEASH_TEST_CIMD_PORT: String(cimdPort),
      LEASH_TEST_NEXT_MOUNT_PORT: String(nextMountPort),
      LEASH_TEST_WEBHOOK_PORT: String(webhookPort),
      LEASH_TEST_INTEROP_CIMD_PORT: String(interopCimdPort),
      LEASH_TEST_SSF_PORT: String(ssfPort),
      LEASH_TEST_FASTIFY_API_PORT: String(fastifyApiPort),
      NEXT_TELEMETRY_DISABLED: '1',
    };
    // The e2e tests sign in with the documented demo account, seeded as `npm start` seeds it.
    // (Imported only now: they need the Prisma client generated above.)
    Object.assign(process.env, env);
    const { seedDemoAccount } = await import('./lib/seed-demo');
    const { closeDb } = await import('../lib/db/client');
    await seedDemoAccount(env.LEASH_DATA_DIR!);
    await closeDb();

    if (runUnit) {
      const report = path.join(runDir, 'vitest.json');
      const code = await runner(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...passThrough],
        env,
      );
      failed ||= code !== 0;
      const c = vitestCounts(report);
      if (c) counts.push(c);
      else failed = true;
    }
    if (runE2e) {
      const report = path.join(runDir, 'playwright.json');
      const code = await runner(process.execPath, [path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', ...passThrough], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report });
      failed ||= code !== 0;
      const c = playwrightCounts(report);
      if (c) counts.push(c);
      else failed = true;
    }
  } finally {
    await database.stop();
    if (!failed) fs.rmSync(runDir, { recursive: true, force: true });
    else log(`Kept ${path.relative(ROOT, runDir)} for inspection.`);
  }
  const total = counts.reduce((a, c) => ({ passed: a.passed + c.passed, failed: a.failed + c.failed, skipped: a.skipped + c.skipped }), {
    passed: 0,
    failed: 0,
    skipped: 0,
  });
  // One plain summary line for people and CI.
  console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exit(failed || total.failed > 0 || total.passed === 0 ? 1 : 0);
}

main().catch((error) => {
  console.error('[test]', error);
  process.exit(1);
});
