// Inserts audit records already linked into a chain (issue 16 §1, docs/audit.md), so the log is
// strictly insert-only and no writer waits for another:
// - there are several chains (`audit_chains`, one row per head). A statement locks one free head
//   (`FOR UPDATE SKIP LOCKED`: a busy head is skipped, never waited for), links its records after
//   it, and moves the head, all in the statement that inserts them. In a caller's transaction the
//   head stays locked until that transaction ends, so what is linked is exactly what commits: a
//   rollback takes the records and the head's move back together.
// - the record's digest (canonical JSON of its content, lib/audit/chain-hash.ts) is computed here;
//   the link, which needs the locked head, in SQL (`leash_audit_links`, the same v2 formula).
// - when every head is busy, the writer adds a chain rather than wait (it is a row).
// The unique (chain_id, chain_seq) index is the last guard: two writers can never fork a chain.
// Signed checkpoints (lib/audit/audit-checkpoint.ts) bind the heads of every chain together.
import 'server-only';
import { Prisma } from '@/lib/generated/prisma/client';
import { recordDigest } from '@/lib/audit/chain-hash';
import type { AuditInput } from '@/lib/audit/append-audit-event';
import { currentRequestId } from '@/lib/log/request-context';

/** A record's columns, in `COLUMNS` order, exactly as the database will give them back. */
export type AuditRecord = {
  createdAt: Date;
  userId: string | null;
  agentId: string | null;
  actor: unknown;
  action: string;
  resource: string | null;
  decision: string;
  reason: string | null;
  tokenId: string | null;
  scopes: string[];
  intent: string | null;
  ip: string | null;
  requestId: string | null;
  details: unknown;
};

const COLUMNS: [keyof AuditRecord, string, string][] = [
  ['createdAt', 'created_at', 'timestamptz'],
  ['userId', 'user_id', 'uuid'],
  ['agentId', 'agent_id', 'uuid'],
  ['actor', 'actor', 'jsonb'],
  ['action', 'action', 'text'],
  ['resource', 'resource', 'text'],
  ['decision', 'decision', '"Decision"'],
  ['reason', 'reason', 'text'],
  ['tokenId', 'token_id', 'uuid'],
  ['scopes', 'scopes', 'text[]'],
  ['intent', 'intent', 'text'],
  ['ip', 'ip', 'text'],
  ['requestId', 'request_id', 'text'],
  ['details', 'details', 'jsonb'],
];

// JSON as jsonb keeps it: what JSON.stringify writes, read back (undefined members dropped).
const asStoredJson = (value: unknown) => (value === undefined || value === null ? null : JSON.parse(JSON.stringify(value)));
// uuid columns come back in lower case.
const asStoredUuid = (value: string | null | undefined) => (value ? value.toLowerCase() : null);

/** The record an input becomes, as it will be stored (and so as it will be digested again by any verifier). */
export function auditRecord(input: AuditInput, createdAt = new Date()): AuditRecord {
  return {
    createdAt,
    userId: asStoredUuid(input.userId),
    agentId: asStoredUuid(input.agentId),
    actor: asStoredJson(input.actor),
    action: input.action,
    resource: input.resource ?? null,
    decision: input.decision,
    reason: input.reason ?? null,
    tokenId: asStoredUuid(input.tokenId),
    scopes: input.scopes ?? [],
    intent: input.intent?.hash ?? null,
    ip: input.ip ?? null,
    // Computed when the caller appends, so in its request's context.
    requestId: input.requestId ?? currentRequestId() ?? null,
    details: asStoredJson(input.details),
  };
}

/** Rows to insert in the same statement, before the records (a token with its issuance record). */
export type CompanionInsert = { table: string; columns: string[]; casts: string[]; rows: unknown[][] };

// One parameter per column, an array with one element per row (`unnest`), so the statement's text
// is the same whatever the number of rows: the group-commit writer runs it as a named statement,
// parsed and planned once per connection (issue 16 §5). PostgreSQL arrays cannot be ragged, so an
// array column goes over as one array literal per row, cast back in the SELECT.
const arrayLiteral = (items: unknown) => `{${((items as string[] | null) ?? []).map((item) => `"${String(item).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;

function columnArray(values: unknown[], cast: string): Prisma.Sql {
  if (cast.endsWith('[]')) return Prisma.sql`${values.map(arrayLiteral)}::text[]`;
  if (cast === 'jsonb') return Prisma.sql`${values.map((value) => (value === null || value === undefined ? null : JSON.stringify(value)))}::jsonb[]`;
  return Prisma.sql`${values}::${Prisma.raw(`${cast}[]`)}`;
}

/** `unnest(<one array per column>) WITH ORDINALITY AS alias(<columns>, n)`, and the SELECT list that casts array columns back. */
function unnested(rows: unknown[][], columns: string[], casts: string[], alias: string): { from: Prisma.Sql; select: string[] } {
  const arrays = columns.map((_, i) =>
    columnArray(
      rows.map((row) => row[i] ?? null),
      casts[i]!,
    ),
  );
  return {
    from: Prisma.sql`unnest(${Prisma.join(arrays)}) WITH ORDINALITY AS ${Prisma.raw(alias)}(${Prisma.raw(columns.join(', '))}, n)`,
    select: columns.map((column, i) => (casts[i]!.endsWith('[]') ? `${alias}.${column}::${casts[i]}` : `${alias}.${column}`)),
  };
}

/**
 * The statement that links `records` after the head of a free chain (or of chain `chainId`, which
 * the caller has just made, if it is still free) and inserts them, returning their ids in order. It inserts nothing,
 * not even the companions, when every chain is busy: the caller then adds a chain and asks again.
 * Its text depends only on whether `chainId` and a companion are given (see `columnArray`).
 */
export function chainedInsert(records: AuditRecord[], options: { chainId?: number; companion?: CompanionInsert } = {}): Prisma.Sql {
  const digests = records.map((record) => recordDigest(record));
  const head =
    options.chainId === undefined
      ? Prisma.sql`SELECT id, seq, hash FROM audit_chains ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED`
      : Prisma.sql`SELECT id, seq, hash FROM audit_chains WHERE id = ${options.chainId}::int FOR UPDATE SKIP LOCKED`;
  const names = COLUMNS.map(([, column]) => column);
  const events = unnested(
    records.map((record) => COLUMNS.map(([key]) => record[key])),
    names,
    COLUMNS.map(([, , cast]) => cast),
    'v',
  );
  let companion = Prisma.empty;
  if (options.companion?.rows.length) {
    const { table, columns, casts, rows } = options.companion;
    const c = unnested(rows, columns, casts, 'c');
    companion = Prisma.sql`, companion AS (
        INSERT INTO ${Prisma.raw(table)} (${Prisma.raw(columns.join(', '))})
        SELECT ${Prisma.raw(c.select.join(', '))} FROM ${c.from}
         WHERE EXISTS (SELECT 1 FROM linked)
         ORDER BY c.n)`;
  }
  return Prisma.sql`
    WITH head AS (${head}),
    linked AS (SELECT id AS chain_id, seq AS base, hash AS prev, leash_audit_links(hash, ${digests}::text[]) AS hashes FROM head),
    moved AS (
      UPDATE audit_chains AS a SET seq = l.base + cardinality(l.hashes), hash = l.hashes[cardinality(l.hashes)]
        FROM linked AS l WHERE a.id = l.chain_id)
    ${companion}
    INSERT INTO audit_events (${Prisma.raw(names.join(', '))}, chain_id, chain_seq, prev_hash, hash)
    SELECT ${Prisma.raw(events.select.join(', '))}, l.chain_id, l.base + v.n,
           CASE WHEN v.n = 1 THEN l.prev ELSE l.hashes[v.n - 1] END, l.hashes[v.n]
      FROM ${events.from}
      CROSS JOIN linked AS l
     ORDER BY v.n
    RETURNING id`;
}

/** Runs a statement where the records must go (the caller's transaction, or the pool) and returns its rows. */
export type RunSql = <T>(sql: Prisma.Sql) => Promise<T[]>;

/**
 * Links and inserts `records` (with their companions) through `run`, and returns their ids in
 * order. When every chain is busy, adds one (in the same transaction, when there is one) and
 * links them there, so an append never waits for another writer's commit.
 */
export async function insertChained(run: RunSql, records: AuditRecord[], companion?: CompanionInsert): Promise<bigint[]> {
  let rows = await run<{ id: bigint | string }>(chainedInsert(records, { companion }));
  // Never a wait on a head, even for the chain just added: outside a transaction another writer may
  // take it first (it is committed and free), and a writer holding a head while it waits for this
  // one (a transaction awaiting a grouped append) would be a deadlock PostgreSQL cannot see.
  for (let attempt = 0; !rows.length && attempt < 5; attempt++) {
    const [chain] = await run<{ id: number }>(Prisma.sql`INSERT INTO audit_chains (seq) VALUES (0) RETURNING id`);
    rows = await run<{ id: bigint | string }>(chainedInsert(records, { chainId: chain!.id, companion }));
  }
  if (rows.length !== records.length) throw new Error(`audit: ${rows.length} of ${records.length} records linked`);
  return rows.map((row) => BigInt(row.id));
}
