// A stream's configuration (SSF 1.0 §8.1.1) as the API reads and writes it: the request bodies
// (zod decides which field is malformed), the checks the spec puts on them, and the JSON answered.
// Receiver-Supplied fields: `delivery`, `events_requested`, `description`. Transmitter-Supplied:
// `stream_id`, `iss`, `aud`, `events_supported`, `events_delivered`, `min_verification_interval`;
// in an update they may be present but must match (§8.1.1.3, §8.1.1.4).
import 'server-only';
import { z } from 'zod';
import { getConfig } from '@/lib/config/config';
import { checkTarget, UnsafeFetchError } from '@/lib/http/safe-fetch';
import { EVENTS_SUPPORTED, MIN_VERIFICATION_INTERVAL_SECONDS, POLL_DELIVERY, PUSH_DELIVERY } from '@/lib/ssf/event-types';
import { SsfError } from '@/lib/ssf/ssf-error';

const MAX_DESCRIPTION = 500;

const deliverySchema = z.object({
  method: z.string().max(200),
  endpoint_url: z.string().max(2000).optional(),
  authorization_header: z.string().min(1).max(4096).optional(),
});

const receiverFields = {
  delivery: deliverySchema.optional(),
  events_requested: z.array(z.string().max(500)).max(50).optional(),
  // The transmitter may truncate it (§8.1.1).
  description: z.string().max(10_000).optional(),
};

export const createStreamSchema = z.object(receiverFields);
export const updateStreamSchema = z.object({ stream_id: z.string().max(100), ...receiverFields });

export type StreamRow = {
  id: string;
  issuer: string;
  endpointUrl: string;
  eventsRequested: string[];
  eventsDelivered: string[];
  description: string | null;
};

/** The stream configuration JSON (§8.1.1). `authorization_header` is write-only: never answered. */
export function streamConfiguration(stream: StreamRow, audience: string): Record<string, unknown> {
  return {
    stream_id: stream.id,
    iss: stream.issuer,
    aud: audience,
    delivery: { method: PUSH_DELIVERY, endpoint_url: stream.endpointUrl },
    events_supported: EVENTS_SUPPORTED,
    ...(stream.eventsRequested.length ? { events_requested: stream.eventsRequested } : {}),
    events_delivered: stream.eventsDelivered,
    min_verification_interval: MIN_VERIFICATION_INTERVAL_SECONDS,
    ...(stream.description ? { description: stream.description } : {}),
  };
}

/** A body checked against `schema`; the first problem is the 400's sentence. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'the body';
  throw new SsfError(400, 'invalid_request', `${where}: ${issue.message}`);
}

/** The push delivery asked for: RFC 8935 to an endpoint the outbound rules allow (§6.1.1). */
export function pushDeliveryOf(delivery: z.infer<typeof deliverySchema> | undefined): { endpointUrl: string; authorizationHeader: string | null } {
  // §8.1.1.1: no `delivery` means poll, which Leash does not offer ("MAY respond with 400").
  if (!delivery || delivery.method === POLL_DELIVERY) throw new SsfError(400, 'invalid_request', `Only push delivery (${PUSH_DELIVERY}) is supported.`);
  if (delivery.method !== PUSH_DELIVERY) throw new SsfError(400, 'invalid_request', `delivery.method must be ${PUSH_DELIVERY}.`);
  if (!delivery.endpoint_url) throw new SsfError(400, 'invalid_request', 'delivery.endpoint_url is required for push delivery.');
  let url: URL;
  try {
    url = new URL(delivery.endpoint_url);
  } catch {
    throw new SsfError(400, 'invalid_request', 'delivery.endpoint_url must be an absolute URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SsfError(400, 'invalid_request', 'delivery.endpoint_url must be an https URL.');
  if (url.username || url.password || url.hash) throw new SsfError(400, 'invalid_request', 'delivery.endpoint_url must not carry credentials or a fragment.');
  try {
    checkTarget(url, getConfig().ssfAllowlist);
  } catch (error) {
    if (error instanceof UnsafeFetchError) throw new SsfError(400, 'invalid_request', `delivery.endpoint_url is refused: ${error.message}.`);
    throw error;
  }
  return { endpointUrl: url.toString(), authorizationHeader: delivery.authorization_header ?? null };
}

export function descriptionOf(description: string | undefined): string | null {
  return description ? description.slice(0, MAX_DESCRIPTION) : null;
}

const TRANSMITTER_SUPPLIED = ['iss', 'aud', 'events_supported', 'events_delivered', 'min_verification_interval', 'inactivity_timeout'] as const;

/**
 * §8.1.1.3 and §8.1.1.4: Transmitter-Supplied properties besides stream_id may be sent, but must
 * match the current values (events_delivered: before the update). Arrays compare as sets; `aud`
 * may be sent as a string or a one-element array.
 */
export function checkTransmitterSupplied(body: Record<string, unknown>, current: Record<string, unknown>): void {
  for (const name of TRANSMITTER_SUPPLIED) {
    if (!(name in body)) continue;
    if (!sameValue(body[name], current[name])) throw new SsfError(400, 'invalid_request', `${name} is set by the transmitter and does not match its value.`);
  }
}

function sameValue(given: unknown, expected: unknown): boolean {
  if (expected === undefined) return false;
  const asSet = (v: unknown) => (Array.isArray(v) ? [...v].map(String).sort() : typeof v === 'string' ? [v] : null);
  if (Array.isArray(expected) || Array.isArray(given)) {
    const a = asSet(given);
    const b = asSet(expected);
    return a !== null && b !== null && a.length === b.length && a.every((v, i) => v === b[i]);
  }
  return given === expected;
}
