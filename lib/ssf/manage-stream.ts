// A resource server's event stream (SSF 1.0 §8.1.1): create, read, update, replace, delete. One per
// resource (§8.1.1.1: a transmitter that does not allow several answers 409). Ownership is in every
// query (`resourceId`): another resource's stream is simply not found (404), like one that never existed.
import 'server-only';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { Prisma } from '@/lib/generated/prisma/client';
import { uuid7 } from '@/lib/ids/uuid7';
import { sealSecret } from '@/lib/keys/key-encryption';
import type { ProtectedResourceRecord } from '@/lib/protected-resources/registry';
import { eventsDelivered } from '@/lib/ssf/event-types';
import { noSuchStream, SsfError } from '@/lib/ssf/ssf-error';
import { checkTransmitterSupplied, createStreamSchema, descriptionOf, parseBody, pushDeliveryOf, streamConfiguration, updateStreamSchema, type StreamRow } from '@/lib/ssf/stream-configuration';

type Resource = Pick<ProtectedResourceRecord, 'id' | 'identifier'>;

const STREAM_COLUMNS = { id: true, issuer: true, endpointUrl: true, eventsRequested: true, eventsDelivered: true, description: true } as const;

const sealedHeader = (streamId: string, header: string | null) => (header ? sealSecret(`ssf:${streamId}`, header) : null);

/** POST (§8.1.1.1): 201 with the configuration; 409 when the resource already has its stream. */
export async function createStream(resource: Resource, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const input = parseBody(createStreamSchema, body);
  const delivery = pushDeliveryOf(input.delivery);
  const requested = input.events_requested ?? [];
  const id = uuid7();
  try {
    const stream = await db().ssfStream.create({
      data: {
        id,
        resourceId: resource.id,
        issuer: getConfig().issuer,
        endpointUrl: delivery.endpointUrl,
        authorizationHeaderSealed: sealedHeader(id, delivery.authorizationHeader),
        eventsRequested: requested,
        eventsDelivered: eventsDelivered(requested),
        description: descriptionOf(input.description),
      },
      select: STREAM_COLUMNS,
    });
    return streamConfiguration(stream, resource.identifier);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new SsfError(409, 'conflict', 'This resource already has a stream: read it, then update it with PATCH or PUT.');
    }
    throw error;
  }
}

/** GET (§8.1.1.2): one stream by stream_id, or the list of this resource's (one or none). */
export async function readStreams(resource: Resource, streamId: string | null): Promise<Record<string, unknown> | Record<string, unknown>[]> {
  if (streamId !== null) return streamConfiguration(await findOwnStream(resource, streamId), resource.identifier);
  const streams = await db().ssfStream.findMany({ where: { resourceId: resource.id }, select: STREAM_COLUMNS });
  return streams.map((s) => streamConfiguration(s, resource.identifier));
}

/**
 * PATCH (§8.1.1.3): the Receiver-Supplied properties present are changed, the others kept.
 * PUT (§8.1.1.4): the whole set is given; a missing one is deleted (`delivery` cannot be).
 */
export async function updateStream(resource: Resource, body: Record<string, unknown>, mode: 'patch' | 'replace'): Promise<Record<string, unknown>> {
  const input = parseBody(updateStreamSchema, body);
  const current = await findOwnStream(resource, input.stream_id);
  checkTransmitterSupplied(body, streamConfiguration(current, resource.identifier));
  const data: Prisma.SsfStreamUpdateInput = {};
  if (input.delivery !== undefined || mode === 'replace') {
    const delivery = pushDeliveryOf(input.delivery);
    data.endpointUrl = delivery.endpointUrl;
    data.authorizationHeaderSealed = sealedHeader(current.id, delivery.authorizationHeader);
  }
  if (input.events_requested !== undefined || mode === 'replace') {
    const requested = input.events_requested ?? [];
    data.eventsRequested = requested;
    data.eventsDelivered = eventsDelivered(requested);
  }
  if (input.description !== undefined || mode === 'replace') data.description = descriptionOf(input.description);
  await db().$transaction(async (tx) => {
    const updated = await tx.ssfStream.updateMany({ where: { id: current.id, resourceId: resource.id }, data });
    if (!updated.count) throw noSuchStream();
    if (data.endpointUrl !== undefined) {
      // A receiver that fixed its endpoint need not wait out the backoff its old one earned.
      await tx.ssfDelivery.updateMany({ where: { streamId: current.id, state: 'PENDING', nextAttemptAt: { gt: new Date() } }, data: { nextAttemptAt: new Date() } });
      await tx.$executeRaw`SELECT pg_notify('leash_ssf', ${current.id})`;
    }
  });
  return streamConfiguration(await findOwnStream(resource, current.id), resource.identifier);
}

/** DELETE (§8.1.1.5): the stream and every SET queued or recorded for it. */
export async function deleteStream(resource: Resource, streamId: string | null): Promise<void> {
  if (streamId === null) throw new SsfError(400, 'invalid_request', 'stream_id is required.');
  const id = uuidOrNull(streamId);
  if (!id) throw noSuchStream();
  const { count } = await db().ssfStream.deleteMany({ where: { id, resourceId: resource.id } });
  if (!count) throw noSuchStream();
}

export async function findOwnStream(resource: Resource, streamId: string): Promise<StreamRow & { status: 'ENABLED' | 'PAUSED' | 'DISABLED'; statusReason: string | null }> {
  const id = uuidOrNull(streamId);
  const stream = id ? await db().ssfStream.findFirst({ where: { id, resourceId: resource.id }, select: { ...STREAM_COLUMNS, status: true, statusReason: true } }) : null;
  if (!stream) throw noSuchStream();
  return stream;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A stream_id that cannot be one of ours is not found, not malformed (§8.1.1.2: 404). */
export function uuidOrNull(value: string): string | null {
  return UUID.test(value) ? value.toLowerCase() : null;
}
