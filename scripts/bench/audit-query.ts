// Part of `npm run bench`: the audit browser's filtered page over a large audit table. Run as a
// child process against a database of its own (DATABASE_URL, migrations applied): fills it with
// ROWS synthetic records (one heavy user holds a tenth of them, spread over 20 agents and four
// decisions), then times searchAuditEvents — the function the audit browser calls — for each
// filter shape, first page and deep pages, after one untimed run of each. Prints one JSON line: milliseconds per shape.
import crypto from 'node:crypto';
import { closeDb, db, dbPool } from '../../lib/db/client';
import { searchAuditEvents, type AuditFilter } from '../../lib/dashboard/search-audit-events';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 21;
const CHUNK = 500_000;

async function fill(): Promise<{ userId: string; agents: string[] }> {
  const pool = dbPool();
  const users: string[] = [];
  for (let i = 0; i < 10; i++) {
    const { rows } = await pool.query(`INSERT INTO users (id, email, password_hash, updated_at) VALUES (gen_random_uuid(), $1, 'x', now()) RETURNING id`, [
      `audit-bench-${i}-${crypto.randomUUID()}@example.test`,
    ]);
    users.push(rows[0].id);
  }
  const agents: string[] = [];
  for (let i = 0; i < 20; i++) {
    const { rows } = await pool.query(`INSERT INTO agents (id, client_id, name, registration, updated_at) VALUES (gen_random_uuid(), $1, $2, 'DCR', now()) RETURNING id`, [
      `audit-bench-${crypto.randomUUID()}`,
      `Agent ${i}`,
    ]);
    agents.push(rows[0].id);
  }
  for (let start = 1; start <= ROWS; start += CHUNK) {
    const end = Math.min(ROWS, start + CHUNK - 1);
    // Row i: user i % 10, agent i % 20, one DENY in twenty, dates over the last 90 days in order.
    await pool.query(
      `INSERT INTO audit_events (created_at, user_id, agent_id, action, resource, decision, reason, scopes, ip, request_id, chain_seq, hash)
       SELECT now() - interval '90 days' + (i::float / $3) * interval '90 days',
              ($1::uuid[])[1 + i % 10], ($2::uuid[])[1 + i % 20],
              (ARRAY['datasets.list','reports.read','invoices.read','payments.initiate'])[1 + i % 4],
              'GET /api/v1/datasets',
              (CASE WHEN i % 20 = 0 THEN 'DENY' WHEN i % 50 = 1 THEN 'STEP_UP' ELSE 'ALLOW' END)::"Decision",
              CASE WHEN i % 20 = 0 THEN 'policy v3 deny-action: invoice over limit' ELSE 'allowed by the policy' END,
              ARRAY['datasets:read'], '10.0.0.1', 'bench-' || i, -i, 'bench'
         FROM generate_series($4::bigint, $5::bigint) AS i`,
      [users, agents, ROWS, start, end],
    );
  }
  await pool.query('ANALYZE audit_events');
  // Let the bulk load's checkpoint finish before anything is timed.
  await pool.query('CHECKPOINT');
  return { userId: users[0]!, agents };
}

async function time(filter: AuditFilter, userId: string): Promise<number[]> {
  const samples: number[] = [];
  await searchAuditEvents(filter, { userId, role: 'USER' }); // one untimed run: a page the browser just showed
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await searchAuditEvents(filter, { userId, role: 'USER' });
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

const { userId, agents } = await fill();
const middle = (await dbPool().query('SELECT max(id) / 2 AS id FROM audit_events')).rows[0].id as string;
const shapes: Record<string, AuditFilter> = {
  'first page': {},
  'one agent': { agent: agents[0] },
  'one agent, denied only': { agent: agents[0], decision: 'DENY' },
  'text search "invoice"': { q: 'invoice' },
  'last 7 days': { from: new Date(Date.now() - 7 * 86_400_000).toISOString() },
  'deep page (half-way back)': { before: BigInt(middle) },
};
const results: Record<string, { p50: number; p95: number }> = {};
for (const [name, filter] of Object.entries(shapes)) {
  const samples = await time(filter, userId);
  results[name] = { p50: Number(samples[Math.floor(samples.length / 2)]!.toFixed(1)), p95: Number(samples[Math.ceil(samples.length * 0.95) - 1]!.toFixed(1)) };
}
const userRows = Math.round(ROWS / 10);
console.log(JSON.stringify({ rows: ROWS, userRows, results }));
await db().$disconnect();
await closeDb();
