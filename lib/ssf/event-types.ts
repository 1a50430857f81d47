// The event types Leash transmits (docs/shared-signals.md): CAEP 1.0's session-revoked (§3.1) and
// token-claims-change (§3.2), and SSF 1.0's verification event (§8.1.4.1). Queued rows name them by
// their short name (`ssf_deliveries.event_type`); streams and SETs by their URI.
export const EVENT_TYPE_URIS = {
  'session-revoked': 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  'token-claims-change': 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change',
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
} as const;

export type EventType = keyof typeof EVENT_TYPE_URIS;

/**
 * `events_supported` (SSF §8.1.1): what a stream may ask for. Verification is sent whenever the
 * receiver asks for it, whatever it requested (SSF §8.1.4), so it is not listed.
 */
export const EVENTS_SUPPORTED: readonly string[] = [EVENT_TYPE_URIS['session-revoked'], EVENT_TYPE_URIS['token-claims-change']];

/** RFC 8935 push: the only delivery method offered (SSF §6.1.1). */
export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';
/** RFC 8936 poll (SSF §6.1.2): not offered. */
export const POLL_DELIVERY = 'urn:ietf:rfc:8936';

/** SSF §8.1.1 `min_verification_interval`, seconds: a sooner verification request is 429. */
export const MIN_VERIFICATION_INTERVAL_SECONDS = 5;

/** `events_delivered`: the supported events among those requested; all of them when none were named. */
export function eventsDelivered(requested: readonly string[]): string[] {
  if (!requested.length) return [...EVENTS_SUPPORTED];
  return EVENTS_SUPPORTED.filter((uri) => requested.includes(uri));
}
