// A stream's status (SSF 1.0 §8.1.2) and its verification (§8.1.4), on the receiver's request.
// - enabled: SETs are delivered; paused: they are held (still queued by the triggers) and sent, in
//   order, when enabled again; disabled: none are queued, and those held are dropped.
// - A verification event is queued like any other SET, in the same order (§8.1.4.2 lets it be
//   asynchronous); at most one per `min_verification_interval` seconds, else 429.
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import type { ProtectedResourceRecord } from '@/lib/protected-resources/registry';
import { MIN_VERIFICATION_INTERVAL_SECONDS } from '@/lib/ssf/event-types';
import { findOwnStream, uuidOrNull } from '@/lib/ssf/manage-stream';
import { noSuchStream, SsfError } from '@/lib/ssf/ssf-error';
import { parseBody } from '@/lib/ssf/stream-configuration';

type Resource = Pick<ProtectedResourceRecord, 'id' | 'identifier'>;
type Status = 'enabled' | 'paused' | 'disabled';

const statusSchema = z.object({ stream_id: z.string().max(100), status: z.enum(['enabled', 'paused', 'disabled']), reason: z.string().max(500).optional() });
const verifySchema = z.object({ stream_id: z.string().max(100), state: z.string().max(1000).optional() });

/** GET (§8.1.2.1). */
export async function readStreamStatus(resource: Resource, streamId: string | null): Promise<{ stream_id: string; status: Status; reason?: string }> {
  if (streamId === null) throw new SsfError(400, 'invalid_request', 'stream_id is required.');
  const stream = await findOwnStream(resource, streamId);
  return { stream_id: stream.id, status: stream.status.toLowerCase() as Status, ...(stream.statusReason ? { reason: stream.statusReason } : {}) };
}

/** POST (§8.1.2.2): 200 with the new status. */
export async function updateStreamStatus(resource: Resource, body: Record<string, unknown>): Promise<{ stream_id: string; status: Status; reason?: string }> {
  const input = parseBody(statusSchema, body);
  const id = uuidOrNull(input.stream_id);
  if (!id) throw noSuchStream();
  const status = input.status.toUpperCase() as 'ENABLED' | 'PAUSED' | 'DISABLED';
  await db().$transaction(async (tx) => {
    const { count } = await tx.ssfStream.updateMany({ where: { id, resourceId: resource.id }, data: { status, statusReason: input.reason ?? null } });
    if (!count) throw noSuchStream();
    // §8.1.2: a disabled stream "will not hold any events".
    if (status === 'DISABLED') await tx.ssfDelivery.updateMany({ where: { streamId: id, state: 'PENDING' }, data: { state: 'DROPPED', settledAt: new Date() } });
    // Enabled again: what was held is sent now, by whichever instance hears this first.
    if (status === 'ENABLED') await tx.$executeRaw`SELECT pg_notify('leash_ssf', ${id})`;
  });
  return { stream_id: id, status: input.status, ...(input.reason ? { reason: input.reason } : {}) };
}

/** POST /ssf/verify (§8.1.4.2): queues the verification event; 204. */
export async function requestVerification(resource: Resource, body: Record<string, unknown>): Promise<void> {
  const input = parseBody(verifySchema, body);
  const id = uuidOrNull(input.stream_id);
  if (!id) throw noSuchStream();
  await db().$transaction(async (tx) => {
    // The interval is checked and the time taken in one statement, so two requests at once cannot both pass.
    const claimed = await tx.$queryRaw<{ status: string }[]>`
      UPDATE ssf_streams SET verified_at = now()
      WHERE id = ${id}::uuid AND resource_id = ${resource.id}::uuid
        AND (verified_at IS NULL OR verified_at <= now() - make_interval(secs => ${MIN_VERIFICATION_INTERVAL_SECONDS}::int))
      RETURNING status::text AS status`;
    if (!claimed.length) {
      await findOwnStream(resource, id); // 404 when it is not this resource's
      throw new SsfError(429, 'too_many_requests', `Ask for a verification event at most once every ${MIN_VERIFICATION_INTERVAL_SECONDS} seconds.`, {
        'Retry-After': String(MIN_VERIFICATION_INTERVAL_SECONDS),
      });
    }
    const facts = JSON.stringify({ stream_id: id, ...(input.state !== undefined ? { state: input.state } : {}) });
    // A disabled stream holds nothing: the request is recorded, dropped at once.
    const dropped = claimed[0]!.status === 'DISABLED';
    await tx.$executeRaw`
      INSERT INTO ssf_deliveries (id, stream_id, event_type, facts, txn, state, settled_at)
      VALUES (gen_random_uuid(), ${id}::uuid, 'verification', ${facts}::jsonb, pg_current_xact_id()::text,
              ${dropped ? 'DROPPED' : 'PENDING'}::"SsfDeliveryState", ${dropped ? new Date() : null})`;
    if (!dropped) await tx.$executeRaw`SELECT pg_notify('leash_ssf', ${id})`;
  });
}
