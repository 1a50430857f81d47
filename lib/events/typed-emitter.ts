// A small typed event emitter, as node-oidc-provider's `provider.on('grant.success', …)`: the
// event names and their payloads are one type, so a listener of an event that does not exist, or
// one that reads a field the event lacks, does not compile. Emitting waits for every listener and
// never fails: listeners are side effects (alerts) that must not change the answer to the request
// that emitted, so a listener that throws is logged and the others still run.
import { log } from '@/lib/log/logger';
export type Listener<P> = (payload: P) => unknown;

export interface EventSource<Events extends Record<string, object>> {
  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void;
}

export class TypedEmitter<Events extends Record<string, object>> implements EventSource<Events> {
  private readonly listeners = new Map<keyof Events, Listener<never>[]>();

  /** `name` prefixes the log line of a failing listener. */
  constructor(private readonly name: string) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const list = (this.listeners.get(event) ?? []) as Listener<Events[K]>[];
    this.listeners.set(event, [...list, listener] as Listener<never>[]);
    return () => this.listeners.set(event, ((this.listeners.get(event) ?? []) as Listener<Events[K]>[]).filter((l) => l !== listener) as Listener<never>[]);
  }

  /** Runs the event's listeners together; resolves once all have settled, and never rejects. */
  async emit<K extends keyof Events>(event: K, payload: Events[K]): Promise<void> {
    const listeners = this.listeners.get(event) as Listener<Events[K]>[] | undefined;
    if (!listeners?.length) return;
    await Promise.all(
      listeners.map(async (listener) => {
        try {
          await listener(payload);
        } catch (error) {
          log(this.name).error({ err: error, event: String(event) }, 'listener failed');
        }
      }),
    );
  }
}
