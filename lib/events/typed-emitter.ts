// A small typed event emitter, as node-oidc-provider's `provider.on('grant.success', …)`: the
// event names and their payloads are one type, so a listener of an event that does not exist, or
// one that reads a field the event lacks, does not compile. Emitting waits for every listener and
// never fails: listeners are side effects (alerts) that must not change the answer to the request
// that emitted, so a listener that throws is logged and the others still run.
import { log } from '@/lib/log/logger';
export type Listener<P> = (payload: P) => unknown;

/** What `emit` returns when no listener is still running. */
const SETTLED: Promise<void> = Promise.resolve();

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

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

  /**
   * Runs the event's listeners together; resolves once all have settled, and never rejects.
   * Each listener is called at once: only those that return a promise are waited for, so an event
   * whose listeners are synchronous (the metrics of an allowed call, on the hottest path) makes no
   * promise of its own.
   */
  emit<K extends keyof Events>(event: K, payload: Events[K]): Promise<void> {
    const listeners = this.listeners.get(event) as Listener<Events[K]>[] | undefined;
    if (!listeners?.length) return SETTLED;
    let pending: Promise<void>[] | undefined;
    for (const listener of listeners) {
      try {
        const result = listener(payload);
        if (isThenable(result)) (pending ??= []).push(Promise.resolve(result).then(undefined, (error: unknown) => this.failed(event, error)));
      } catch (error) {
        this.failed(event, error);
      }
    }
    return pending ? Promise.all(pending).then(() => undefined) : SETTLED;
  }

  private failed(event: keyof Events, error: unknown): void {
    log(this.name).error({ err: error, event: String(event) }, 'listener failed');
  }
}
