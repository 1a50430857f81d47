// Backups (issue 19, docs/operations.md#backups): a file-system backup of the database taken with
// PostgreSQL stopped, restored as a new cluster, holds an audit chain that `npm run audit:verify`
// verifies; the same command finds a record altered after the restore and exits 1 naming it.
// (pg_dump / pg_basebackup backups restore the same rows; the embedded PostgreSQL ships no client
// tools, so this test copies the cluster, PostgreSQL's documented cold backup.)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { expect, test } from '@playwright/test';
import { findFreePort, startEmbeddedPostgres } from '../../scripts/lib/embedded-pg';
import { deployMigrations } from '../../scripts/lib/schema-engine';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function verify(databaseUrl: string) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=react-server', 'scripts/audit/verify.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

test('a restored backup verifies with npm run audit:verify, and a record altered afterwards is found', async () => {
  test.setTimeout(180_000);
  fs.mkdirSync(path.join(ROOT, '.leash-test'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, '.leash-test', 'backup-'));
  fs.chmodSync(dir, 0o755);
  const password = 'backup-test';
  const original = await startEmbeddedPostgres({ dir: path.join(dir, 'original'), port: await findFreePort(), database: 'leash', password });
  let restored: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  try {
    await deployMigrations({ databaseUrl: original.url });
    const sql = new pg.Client({ connectionString: original.url });
    await sql.connect();
    // Inserted unsealed, as a previous version did: the verifier seals them into the legacy chain first.
    await sql.query(`INSERT INTO audit_events (created_at, action, decision, reason, scopes) SELECT now(), 'token.issue', 'ALLOW', 'event ' || n, '{datasets:read}' FROM generate_series(1, 50) AS n`);
    await sql.end();
    const before = verify(original.url);
    expect(before.output).toContain('The audit log verifies: 50 records in 1 chain, 0 signed checkpoints');
    expect(before.code).toBe(0);

    // The backup: the cluster's files, copied while PostgreSQL is stopped; restored elsewhere.
    await original.stop();
    execFileSync('cp', ['-a', path.join(dir, 'original'), path.join(dir, 'restored')]);
    restored = await startEmbeddedPostgres({ dir: path.join(dir, 'restored'), port: await findFreePort(), database: 'leash', password });
    const after = verify(restored.url);
    expect(after.output).toContain('The audit log verifies: 50 records in 1 chain, 0 signed checkpoints');
    expect(after.code).toBe(0);

    // Someone with database access changes a decision (the append-only trigger must be disabled
    // to do it): the chain no longer verifies, and the command names the record.
    const tamper = new pg.Client({ connectionString: restored.url });
    await tamper.connect();
    const { rows } = await tamper.query(`SELECT id FROM audit_events WHERE reason = 'event 17'`);
    await tamper.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await tamper.query(`UPDATE audit_events SET decision = 'DENY' WHERE id = $1`, [rows[0].id]);
    await tamper.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    await tamper.end();
    const tampered = verify(restored.url);
    expect(tampered.output).toContain(`The audit log is broken (content changed): record ${rows[0].id} was changed after it was written, after 16 good records.`);
    expect(tampered.code).toBe(1);
  } finally {
    await restored?.stop();
    await original.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
