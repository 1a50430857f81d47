// Group commit for the audit rows of calls that change nothing (issue 7): a read's decision is
// durable before its answer leaves, but concurrent reads share one INSERT (and one WAL flush)
// instead of a transaction each. Rows wait for the statement in flight, at most one batch of
// MAX_BATCH, then go together; each caller's promise settles when its row has committed, and
// rejects if the batch failed (the caller then fails closed: no answer without its audit row).
// Rows are inserted unsealed, exactly as appendAuditEvent inserts them; the sealer chains them.
import 'server-only';
import { dbPool } from '@/lib/db/client';
import type { AuditInput } from '@/lib/audit/append-audit-event';

const MAX_BATCH = 256;
const COLUMNS = ['created_at', 'user_id', 'agent_id', 'actor', 'action', 'resource', 'decision', 'reason', 'token_id', 'scopes', 'intent', 'ip', 'request_id', 'details'];
const CASTS = ['timestamptz', 'uuid', 'uuid', 'jsonb', 'text', 'text', '"Decision"', 'text', 'uuid', 'text[]', 'text', 'text', 'text', 'jsonb'];

type Waiting = { values: unknown[]; resolve: () => void; reject: (error: unknown) => void };
type State = { queue: Waiting[]; writing: boolean };

const holder = globalThis as typeof globalThis & { leashAuditGroup?: State };

function state(): State {
  holder.leashAuditGroup ??= { queue: [], writing: false };
  return holder.leashAuditGroup;
}

/** Appends one audit row (no intent text: those go through appendAuditEvent) and waits for its commit. */
export function appendAuditEventGrouped(input: AuditInput): Promise<void> {
  if (input.intent?.text) return Promise.reject(new Error('audit rows with an intent text are appended with appendAuditEvent'));
  const values = [
    new Date(),
    input.userId ?? null,
    input.agentId ?? null,
    input.actor === undefined || input.actor === null ? null : JSON.stringify(input.actor),
    input.action,
    input.resource ?? null,
    input.decision,
    input.reason ?? null,
    input.tokenId ?? null,
    input.scopes ?? [],
    input.intent?.hash ?? null,
    input.ip ?? null,
    input.requestId ?? null,
    input.details === undefined || input.details === null ? null : JSON.stringify(input.details),
  ];
  return new Promise((resolve, reject) => {
    const s = state();
    s.queue.push({ values, resolve, reject });
    if (!s.writing) void write();
  });
}

async function write(): Promise<void> {
  const s = state();
  s.writing = true;
  try {
    while (s.queue.length) {
      const batch = s.queue.splice(0, MAX_BATCH);
      const params: unknown[] = [];
      const rows = batch.map((w) => `(${w.values.map((v, i) => (params.push(v), `$${params.length}::${CASTS[i]}`)).join(', ')})`);
      try {
        await dbPool().query(`INSERT INTO audit_events (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`, params);
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
  } finally {
    s.writing = false;
  }
}
