// Group commit (issue 7) for the hot path's writes that stand alone: the audit row of a call that
// changes nothing, and a client_credentials token with its issuance record. Each is durable before
// its answer leaves, but concurrent requests share one statement (and one WAL flush) instead of a
// transaction each: rows wait while WRITERS statements are in flight, then go together, at most MAX_BATCH at
// a time. A token and its audit row are in the same statement (a data-modifying WITH), so they
// commit together or not at all. If a batch fails on a row's data, its rows are retried one by one, so
// one bad row (an agent deleted a moment ago) cannot fail the others; whatever still fails rejects its caller,
// who fails closed (no answer without its audit row, no token without its record).
// A batch is linked into one free chain by the statement that inserts it (lib/audit/chain-append.ts).
import 'server-only';
import { dbPool } from '@/lib/db/client';
import { groupCommit } from '@/lib/db/group-commit';
import type { AuditInput } from '@/lib/audit/append-audit-event';
import type { AuditAction } from '@/lib/audit/events';
import { auditRecord, insertChained, type AuditRecord } from '@/lib/audit/chain-append';

const MAX_BATCH = 256;
// Statements in flight at once: while one waits for its WAL flush, the next batch is on its way.
const WRITERS = 3;
const TOKEN_COLUMNS = ['id', 'kind', 'token_hash', 'prefix', 'agent_id', 'user_id', 'scopes', 'audience', 'amr', 'dpop_jkt', 'signing_key_id', 'created_at', 'expires_at'];
const TOKEN_CASTS = ['uuid', '"TokenKind"', 'text', 'text', 'uuid', 'uuid', 'text[]', 'text[]', 'text[]', 'text', 'text', 'timestamptz', 'timestamptz'];

/** A token row written with its audit row (only what a client_credentials token has). */
export type GroupedToken = {
  id: string;
  kind: 'ACCESS';
  tokenHash: string;
  prefix: string;
  agentId: string;
  scopes: string[];
  audience: string[];
  dpopJkt: string | null;
  /** The key that signed it, for a JWT access token (RFC 9068). */
  signingKeyId?: string | null;
  createdAt: Date;
  expiresAt: Date;
};

type Row = { audit: AuditRecord; token: unknown[] | null };

/**
 * Whether a failed batch may be one row's fault: PostgreSQL's data exceptions (SQLSTATE class 22)
 * and integrity violations (class 23: an agent deleted a moment ago). A statement timeout, a lock
 * timeout, a lost connection or a refusing trigger fails every row alike: retried row by row, each
 * would wait as long again (a batch cut off by a 5 s statement timeout answered after 10 s or more).
 */
export function isOneRowsFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

// Rows of concurrent requests in one statement; a batch that failed on a row's data is retried row
// by row, so one row that cannot be written does not fail the others; any other failure fails the
// batch at once (its callers answer 503 without waiting again).
const enqueue = groupCommit<Row, void>('audit', { maxBatch: MAX_BATCH, writers: WRITERS }, async (batch) => {
  try {
    await insert(batch);
    return batch.map(() => ({ ok: true as const, value: undefined }));
  } catch (error) {
    if (batch.length === 1 || !isOneRowsFault(error)) return batch.map(() => ({ ok: false as const, error }));
    return Promise.all(
      batch.map(async (row) => {
        try {
          await insert([row]);
          return { ok: true as const, value: undefined };
        } catch (single) {
          return { ok: false as const, error: single };
        }
      }),
    );
  }
});

/** Appends one audit row (no intent text: those go through appendAuditEvent) and waits for its commit. */
export function appendAuditEventGrouped<A extends AuditAction>(input: AuditInput<A>): Promise<void> {
  if (input.intent?.text) return Promise.reject(new Error('audit rows with an intent text are appended with appendAuditEvent'));
  return enqueue({ audit: auditRecord(input), token: null });
}

/** Inserts a token and its issuance record together, and waits for their commit. */
export function insertTokenGrouped(token: GroupedToken, audit: AuditInput<'token.issue'>): Promise<void> {
  const row = [token.id, token.kind, token.tokenHash, token.prefix, token.agentId, null, token.scopes, token.audience, [], token.dpopJkt, token.signingKeyId ?? null, token.createdAt, token.expiresAt];
  return enqueue({ audit: auditRecord({ ...audit, tokenId: token.id }, token.createdAt), token: row });
}

// The writer's statements have a handful of texts, whatever the batch size (lib/audit/chain-append.ts):
// each is named, so each connection parses and plans it once.
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `leash-audit-${statementNames.size + 1}`));
  return name;
}

async function insert(batch: Row[]): Promise<void> {
  const tokens = batch.flatMap((r) => (r.token ? [r.token] : []));
  const run = async <T>(sql: { text: string; values: unknown[] }) => (await dbPool().query({ name: statementName(sql.text), text: sql.text, values: sql.values })).rows as T[];
  await insertChained(
    run,
    batch.map((r) => r.audit),
    tokens.length ? { table: 'tokens', columns: TOKEN_COLUMNS, casts: TOKEN_CASTS, rows: tokens } : undefined,
  );
}
