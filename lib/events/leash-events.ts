// What the protocol core and the resource server tell the rest of Leash (issue 13, item 4;
// node-oidc-provider's provider events): each event is emitted *after* the audit row it follows
// has committed, and carries typed fields (action, decision, policy rule id), never prose to
// match (the events and their payloads: lib/events/leash-event-types.ts). The alert rules listen
// (lib/events/subscribers.ts); the emitters (lib/oauth, lib/resource, lib/endpoints) know nothing
// of them, so none of those folders imports lib/alerts, and lib/alerts knows nothing of events.
// Listening is best-effort: a failing listener is logged and never fails the request.
//
// Wiring (the one place subscriptions are registered): emitEvent loads the subscribers itself,
// with a dynamic import on the first event. The production server loads lib/ twice in one process
// (the Next bundle, and the `node:http` fast path in server/fast-path.ts: docs/performance.md), and
// each copy has its own emitter; because the emitter registers its own subscribers, every copy
// that can emit an event also has its listeners, whichever mount, route or script emitted it, and
// no route file has to remember an import. Dynamic rather than static: nothing that merely emits
// (a grant, an operation) pulls the alert rules into its module graph, and no evaluation-order
// cycle can form between the emitters and what the listeners import.
import 'server-only';
import type { LeashEvents } from '@/lib/events/leash-event-types';
import { TypedEmitter } from '@/lib/events/typed-emitter';
import { log } from '@/lib/log/logger';

const emitter = new TypedEmitter<LeashEvents>('events');
let subscribed: Promise<void> | null = null;
let ready = false;

function subscribe(): Promise<void> {
  subscribed ??= import('@/lib/events/subscribers')
    .then(({ subscribe: subscribeListeners }) => {
      subscribeListeners(emitter);
      ready = true;
    })
    .catch((error: unknown) => {
      // Retried on the next event; this one goes unheard (alerts are best-effort).
      subscribed = null;
      log('events').error({ err: error }, 'the subscribers could not be loaded');
    });
  return subscribed;
}

/**
 * Tells the listeners, once the audit row this event follows has committed. Resolves when they
 * have all run and never rejects; `void` it where the request must not wait for them.
 */
export function emitEvent<K extends keyof LeashEvents>(event: K, payload: LeashEvents[K]): Promise<void> {
  return ready ? emitter.emit(event, payload) : subscribe().then(() => emitter.emit(event, payload));
}
