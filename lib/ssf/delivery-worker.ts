// The delivery worker: pushes the queued SETs (ssf_deliveries, written by the triggers of migration
// ssf_streams in the transaction of each change) to their streams' receivers (RFC 8935). One per
// process (on globalThis: the Next bundle and the fast path are two module instances), started by
// instrumentation.ts and stopped by the graceful shutdown (server/lifecycle.ts).
// - Prompt: a dedicated connection LISTENs on `leash_ssf`, which the triggers NOTIFY when their
//   transaction commits, on every instance; a sweep every 5 s catches what a lost connection missed,
//   and a timer wakes the worker when a retry is due.
// - One sender per stream, several instances cooperating: a stream is claimed with
//   `FOR UPDATE SKIP LOCKED` and a 30 s lease (renewed with every attempt recorded, released when
//   done); an instance that dies mid-push lets its lease lapse and another takes over (at least once:
//   receivers deduplicate on `jti`).
// - In order: only a stream's oldest pending SET is ever sent; the next waits until it is delivered,
//   refused (400) or given up. A receiver that was down gets its backlog in order when it is back.
// - Retries: 1 s, 2 s, 4 s … up to 5 min apart, ±20% jitter (so receivers coming back are not hit
//   by every transmitter at once), for 24 h. Every attempt is recorded.
import 'server-only';
import crypto from 'node:crypto';
import pg from 'pg';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { checkTarget, UnsafeFetchError } from '@/lib/http/safe-fetch';
import { openSecret } from '@/lib/keys/key-encryption';
import { log } from '@/lib/log/logger';
import { uuid7 } from '@/lib/ids/uuid7';
import { pushSecurityEventToken, type PushOutcome } from '@/lib/ssf/push-set';
import { setClaims, signSecurityEventToken } from '@/lib/ssf/security-event-token';

export const SSF_CHANNEL = 'leash_ssf';
/** How many streams one instance delivers at once. */
const CONCURRENCY = 4;
const SWEEP_MS = 5_000;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 5 * 60_000;
const GIVE_UP_MS = 24 * 3600_000;
/** Settled SETs are kept this long for the admin screen, then deleted. */
const KEEP_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

type Worker = {
  owner: string;
  active: Set<Promise<void>>;
  draining: boolean;
  again: boolean;
  stopped: boolean;
  client: pg.Client | null;
  retryMs: number;
  sweep: NodeJS.Timeout | null;
  timers: Set<NodeJS.Timeout>;
  prunedAt: number;
  /** The last claim failed (the database is down): the next failures are not logged again. */
  failing: boolean;
  /** Streams this instance may not call (its LEASH_SSF_ALLOWLIST lacks them), left to others until then. */
  elsewhere: Map<string, number>;
};

const holder = globalThis as typeof globalThis & { leashSsfWorker?: Worker };

/** The wait before attempt `attempts + 1`, after `attempts` failed ones. */
export function retryDelayMs(attempts: number, random = Math.random()): number {
  return Math.round(Math.min(RETRY_FIRST_MS * 2 ** Math.max(attempts - 1, 0), RETRY_MAX_MS) * (0.8 + random * 0.4));
}

/** Starts this process's worker (idempotent). */
export function startSsfWorker(): void {
  if (holder.leashSsfWorker && !holder.leashSsfWorker.stopped) return;
  const worker: Worker = {
    owner: `${process.pid}:${crypto.randomUUID()}`,
    active: new Set(),
    draining: false,
    again: false,
    stopped: false,
    client: null,
    retryMs: 250,
    sweep: null,
    timers: new Set(),
    prunedAt: 0,
    failing: false,
    elsewhere: new Map(),
  };
  holder.leashSsfWorker = worker;
  worker.sweep = setInterval(() => {
    void drain(worker);
    if (Date.now() - worker.prunedAt > PRUNE_EVERY_MS) void prune(worker);
  }, SWEEP_MS);
  worker.sweep.unref();
  void listen(worker).catch(() => {});
  void drain(worker);
}

/** Wakes this process's worker now (after a change committed here); others hear the NOTIFY. */
export function kickSsfWorker(): void {
  const worker = holder.leashSsfWorker;
  if (worker && !worker.stopped) void drain(worker);
}

/** Shutdown: no new pushes, the ones in flight finish (each is bounded), leases are handed back. */
export async function stopSsfWorker(): Promise<void> {
  const worker = holder.leashSsfWorker;
  if (!worker || worker.stopped) return;
  worker.stopped = true;
  if (worker.sweep) clearInterval(worker.sweep);
  for (const timer of worker.timers) clearTimeout(timer);
  const client = worker.client;
  worker.client = null;
  await client?.end().catch(() => {});
  await Promise.race([Promise.allSettled([...worker.active]), new Promise((resolve) => setTimeout(resolve, 6_000).unref())]);
  await db().$executeRaw`UPDATE ssf_streams SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ${worker.owner}`.catch(() => {});
}

async function listen(worker: Worker): Promise<void> {
  if (worker.stopped) return;
  const client = new pg.Client({ connectionString: getConfig().databaseUrl, connectionTimeoutMillis: 3000 });
  let gone = false;
  const lost = () => {
    if (gone) return;
    gone = true;
    if (worker.client === client) worker.client = null;
    client.end().catch(() => {});
    if (worker.stopped) return;
    setTimeout(() => void listen(worker).catch(() => {}), worker.retryMs).unref();
    worker.retryMs = Math.min(worker.retryMs * 2, 10_000);
  };
  client.on('error', (error) => {
    log('ssf').error({ err: error }, 'LISTEN connection lost');
    lost();
  });
  client.on('end', lost);
  client.on('notification', () => void drain(worker));
  try {
    await client.connect();
    await client.query(`LISTEN ${SSF_CHANNEL}`);
  } catch (error) {
    lost();
    throw error;
  }
  worker.client = client;
  worker.retryMs = 250;
  // Whatever was queued while nobody listened.
  void drain(worker);
}

/** Claims streams with a due SET, up to CONCURRENCY at a time, and delivers each. */
async function drain(worker: Worker): Promise<void> {
  if (worker.stopped) return;
  if (worker.draining) {
    worker.again = true;
    return;
  }
  worker.draining = true;
  try {
    do {
      worker.again = false;
      while (!worker.stopped && worker.active.size < CONCURRENCY) {
        const claimed = await claimStream(worker.owner, leftToOthers(worker));
        if (!claimed) break;
        const run: Promise<void> = deliverStream(worker, claimed)
          .catch((error: unknown) => log('ssf').error({ err: error, stream_id: claimed.stream_id }, 'delivery failed'))
          .finally(() => {
            worker.active.delete(run);
            // The stream is released: anything that arrived meanwhile is claimed now.
            void drain(worker);
          });
        worker.active.add(run);
      }
    } while (worker.again && !worker.stopped);
    if (worker.failing) log('ssf').info('claiming streams again');
    worker.failing = false;
  } catch (error) {
    // Retried by the sweep every 5 s; said once per outage, not every 5 s.
    if (!worker.failing) log('ssf').error({ err: error }, 'could not claim a stream (retried every 5 s)');
    worker.failing = true;
  } finally {
    worker.draining = false;
  }
}

/** A leased stream with its oldest pending SET (`id` null: none left), read in one statement. */
type Head = {
  stream_id: string;
  issuer: string;
  endpoint_url: string;
  authorization_header_sealed: string | null;
  audience: string;
  id: string | null;
  event_type: string;
  facts: unknown;
  txn: string;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date;
};

/**
 * Leases one enabled stream whose oldest pending SET is due and that nobody holds, and answers it
 * with that SET: one statement, so a SET is on its way one round trip after the NOTIFY. SKIP
 * LOCKED: instances claiming at the same moment take different streams instead of waiting.
 */
async function claimStream(owner: string, excluded: string[]): Promise<Head | null> {
  const rows = await db().$queryRaw<Head[]>`
    WITH claimed AS (
      UPDATE ssf_streams SET lease_owner = ${owner}, lease_until = now() + interval '30 seconds'
      WHERE id = (
        SELECT s.id FROM ssf_streams s
        WHERE s.status = 'ENABLED' AND (s.lease_until IS NULL OR s.lease_until < now()) AND NOT (s.id = ANY (${excluded}::uuid[]))
          AND (SELECT d.next_attempt_at FROM ssf_deliveries d WHERE d.stream_id = s.id AND d.state = 'PENDING' ORDER BY d.seq LIMIT 1) <= now()
        LIMIT 1
        FOR UPDATE SKIP LOCKED)
      RETURNING id, issuer, endpoint_url, authorization_header_sealed, resource_id)
    SELECT c.id::text AS stream_id, c.issuer, c.endpoint_url, c.authorization_header_sealed, r.identifier AS audience,
           d.id::text AS id, d.event_type, d.facts, d.txn, d.created_at, d.attempts, d.next_attempt_at
    FROM claimed c JOIN protected_resources r ON r.id = c.resource_id
    LEFT JOIN LATERAL (SELECT * FROM ssf_deliveries x WHERE x.stream_id = c.id AND x.state = 'PENDING' ORDER BY x.seq LIMIT 1) d ON true`;
  return rows[0] ?? null;
}

/** The stream's oldest pending SET, while it is enabled (null: paused, disabled or deleted meanwhile). */
async function nextHead(streamId: string): Promise<Head | null> {
  const rows = await db().$queryRaw<Head[]>`
    SELECT s.id::text AS stream_id, s.issuer, s.endpoint_url, s.authorization_header_sealed, r.identifier AS audience,
           d.id::text AS id, d.event_type, d.facts, d.txn, d.created_at, d.attempts, d.next_attempt_at
    FROM ssf_streams s JOIN protected_resources r ON r.id = s.resource_id
    LEFT JOIN LATERAL (SELECT * FROM ssf_deliveries x WHERE x.stream_id = s.id AND x.state = 'PENDING' ORDER BY x.seq LIMIT 1) d ON true
    WHERE s.id = ${streamId}::uuid AND s.status = 'ENABLED'`;
  return rows[0] ?? null;
}

/** Sends the stream's pending SETs, oldest first, until one must wait; then hands the stream back. */
async function deliverStream(worker: Worker, claimed: Head): Promise<void> {
  const streamId = claimed.stream_id;
  try {
    let head: Head | null = claimed;
    while (!worker.stopped && head?.id) {
      if (!mayCall(worker, streamId, head.endpoint_url)) return;
      const now = Date.now();
      if (head.next_attempt_at.getTime() > now) return wakeAt(worker, head.next_attempt_at.getTime());
      const startedAt = new Date();
      const outcome: PushOutcome = now - head.created_at.getTime() > GIVE_UP_MS ? { kind: 'retry', status: null, error: 'given up: not delivered within 24 hours', durationMs: 0 } : await push(head);
      const next = await record(worker.owner, head, startedAt, outcome);
      if (next === 'lost') return;
      if (next !== 'settled') return wakeAt(worker, next.getTime());
      head = await nextHead(streamId);
    }
  } finally {
    await db().$executeRaw`UPDATE ssf_streams SET lease_owner = NULL, lease_until = NULL WHERE id = ${streamId}::uuid AND lease_owner = ${worker.owner}`.catch(() => {});
  }
}

async function push(head: Head): Promise<PushOutcome> {
  let set: string;
  let authorization: string | null;
  try {
    const event = { id: head.id!, eventType: head.event_type, facts: head.facts, txn: head.txn, createdAt: head.created_at };
    set = await signSecurityEventToken(setClaims(event, { issuer: head.issuer, audience: head.audience }));
    authorization = head.authorization_header_sealed ? openSecret(`ssf:${head.stream_id}`, head.authorization_header_sealed) : null;
  } catch (error) {
    log('ssf').error({ err: error, jti: head.id }, 'could not build the SET');
    return { kind: 'retry', status: null, error: 'the SET could not be built (see the log)', durationMs: 0 };
  }
  return pushSecurityEventToken({ endpointUrl: head.endpoint_url, authorization, set });
}

/**
 * Records the attempt and the SET's new state, renewing the lease, in one statement (atomic, one
 * round trip before the stream's next SET), and only while this worker still holds the stream
 * ('lost': it does not, and stops). Answers 'settled' or, for a SET to try again, when.
 */
async function record(owner: string, head: Head, startedAt: Date, outcome: PushOutcome): Promise<'lost' | 'settled' | Date> {
  const attempts = head.attempts + 1;
  const expired = outcome.kind === 'retry' && Date.now() - head.created_at.getTime() > GIVE_UP_MS;
  const state = outcome.kind === 'delivered' ? 'DELIVERED' : outcome.kind === 'rejected' ? 'REJECTED' : expired ? 'EXPIRED' : 'PENDING';
  const pending = state === 'PENDING';
  const nextAttemptAt = new Date(Date.now() + retryDelayMs(attempts));
  const rows = await db().$queryRaw<{ held: number }[]>`
    WITH held AS (
      UPDATE ssf_streams SET lease_until = now() + interval '30 seconds' WHERE id = ${head.stream_id}::uuid AND lease_owner = ${owner} RETURNING id
    ), attempt AS (
      INSERT INTO ssf_delivery_attempts (id, delivery_id, at, status, error, duration_ms)
      SELECT ${uuid7(startedAt.getTime())}::uuid, ${head.id}::uuid, ${startedAt}::timestamptz, ${outcome.status}::int, ${outcome.error}::text, ${outcome.durationMs}::int FROM held
    ), settled AS (
      UPDATE ssf_deliveries
      SET state = ${state}::"SsfDeliveryState", attempts = ${attempts}::int, last_attempt_at = ${startedAt}::timestamptz,
          last_status = ${outcome.status}::int, last_error = ${outcome.error}::text,
          next_attempt_at = CASE WHEN ${pending}::boolean THEN ${nextAttemptAt}::timestamptz ELSE next_attempt_at END,
          settled_at = CASE WHEN ${pending}::boolean THEN NULL ELSE now() END
      WHERE id = ${head.id}::uuid AND state = 'PENDING' AND EXISTS (SELECT 1 FROM held)
    )
    SELECT count(*)::int AS held FROM held`;
  if (rows[0]?.held !== 1) return 'lost';
  return pending ? nextAttemptAt : 'settled';
}

/**
 * Whether this instance's outbound rules allow the stream's endpoint at all. The instance that
 * created the stream checked it; one configured otherwise (a plain-http receiver another instance
 * allowlists) leaves the stream to the instances that may call it, instead of recording failures
 * for it. Re-checked after a minute. (The DNS check of every push still applies to everyone.)
 */
function mayCall(worker: Worker, streamId: string, endpointUrl: string): boolean {
  try {
    checkTarget(new URL(endpointUrl), getConfig().ssfAllowlist);
    return true;
  } catch (error) {
    if (!(error instanceof UnsafeFetchError)) throw error;
    if (!worker.elsewhere.has(streamId)) log('ssf').warn({ stream_id: streamId, reason: error.message }, 'this instance may not call the stream’s endpoint: left to the others');
    worker.elsewhere.set(streamId, Date.now() + 60_000);
    return false;
  }
}

function leftToOthers(worker: Worker): string[] {
  const now = Date.now();
  for (const [id, until] of worker.elsewhere) if (until <= now) worker.elsewhere.delete(id);
  return [...worker.elsewhere.keys()];
}

function wakeAt(worker: Worker, at: number): void {
  if (worker.stopped) return;
  const timer = setTimeout(
    () => {
      worker.timers.delete(timer);
      void drain(worker);
    },
    Math.max(at - Date.now(), 0) + 5,
  );
  timer.unref();
  worker.timers.add(timer);
}

async function prune(worker: Worker): Promise<void> {
  worker.prunedAt = Date.now();
  await db()
    .ssfDelivery.deleteMany({ where: { state: { not: 'PENDING' }, settledAt: { lt: new Date(Date.now() - KEEP_MS) } } })
    .catch((error: unknown) => log('ssf').warn({ err: error }, 'could not prune delivered SETs'));
}
