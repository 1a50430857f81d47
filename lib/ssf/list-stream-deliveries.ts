// What the admin sees of a resource's Shared Signals stream: its configuration and status, how many
// SETs are waiting, and the most recent SETs with every delivery attempt (time, HTTP status, error,
// duration). Read by the dashboard's Resources screen (GET /api/admin/resources/{id}/ssf).
import 'server-only';
import { db } from '@/lib/db/client';
import { EVENT_TYPE_URIS, type EventType } from '@/lib/ssf/event-types';
import { streamConfiguration } from '@/lib/ssf/stream-configuration';

const RECENT = 50;

export type StreamDeliveries = {
  stream: (Record<string, unknown> & { status: string; status_reason: string | null; pending: number; created_at: string }) | null;
  deliveries: {
    jti: string;
    seq: string;
    event_type: string;
    event_uri: string | null;
    /** The ids the SET names (token_id, grant_id, client_id, user_id), and its reason or claims. */
    facts: unknown;
    txn: string;
    state: string;
    created_at: string;
    attempts: number;
    next_attempt_at: string | null;
    last_status: number | null;
    last_error: string | null;
    settled_at: string | null;
    attempt_log: { at: string; status: number | null; error: string | null; duration_ms: number }[];
  }[];
};

/** The resource's stream (null when it has none) and its RECENT most recent SETs, newest first. */
export async function listStreamDeliveries(resourceId: string): Promise<StreamDeliveries> {
  const stream = await db().ssfStream.findUnique({
    where: { resourceId },
    select: {
      id: true,
      issuer: true,
      endpointUrl: true,
      eventsRequested: true,
      eventsDelivered: true,
      description: true,
      status: true,
      statusReason: true,
      createdAt: true,
      resource: { select: { identifier: true } },
    },
  });
  if (!stream) return { stream: null, deliveries: [] };
  const [pending, rows] = await Promise.all([
    db().ssfDelivery.count({ where: { streamId: stream.id, state: 'PENDING' } }),
    db().ssfDelivery.findMany({
      where: { streamId: stream.id },
      orderBy: { seq: 'desc' },
      take: RECENT,
      include: { attemptLogs: { orderBy: { at: 'asc' } } },
    }),
  ]);
  return {
    stream: {
      ...streamConfiguration(stream, stream.resource.identifier),
      status: stream.status.toLowerCase(),
      status_reason: stream.statusReason,
      pending,
      created_at: stream.createdAt.toISOString(),
    },
    deliveries: rows.map((d) => ({
      jti: d.id,
      seq: d.seq.toString(),
      event_type: d.eventType,
      event_uri: EVENT_TYPE_URIS[d.eventType as EventType] ?? null,
      facts: d.facts,
      txn: d.txn,
      state: d.state.toLowerCase(),
      created_at: d.createdAt.toISOString(),
      attempts: d.attempts,
      next_attempt_at: d.state === 'PENDING' ? d.nextAttemptAt.toISOString() : null,
      last_status: d.lastStatus,
      last_error: d.lastError,
      settled_at: d.settledAt?.toISOString() ?? null,
      attempt_log: d.attemptLogs.map((a) => ({ at: a.at.toISOString(), status: a.status, error: a.error, duration_ms: a.durationMs })),
    })),
  };
}
