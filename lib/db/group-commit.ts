// Group commit (issue 7): callers each hand over one item and wait for its own outcome, while the
// items of concurrent callers are written together: items queue while `writers` statements are in
// flight, then go at most `maxBatch` at a time. `write` turns one batch into one outcome per item
// (a value, or an error for that item alone); if `write` throws, every item of the batch fails.
// The queue lives on globalThis: the Next bundle and the fast path are two module instances in one
// process and must share it. Each queue's depth and batch sizes are metrics (lib/metrics).
import 'server-only';
import { watchQueue } from '@/lib/metrics/metrics';

export type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };
type Waiting<I, O> = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void };
type Queue<I, O> = { waiting: Waiting<I, O>[]; writers: number };

const holder = globalThis as typeof globalThis & { leashGroupCommit?: Map<string, Queue<unknown, unknown>> };

export function groupCommit<I, O>(name: string, options: { maxBatch: number; writers: number }, write: (batch: I[]) => Promise<Outcome<O>[]>) {
  holder.leashGroupCommit ??= new Map();
  const queues = holder.leashGroupCommit;
  const queue = () => {
    let found = queues.get(name) as Queue<I, O> | undefined;
    if (!found) queues.set(name, (found = { waiting: [], writers: 0 }) as Queue<unknown, unknown>);
    return found;
  };
  const observeBatch = watchQueue(name, () => queue().waiting.length);

  async function drain(q: Queue<I, O>): Promise<void> {
    q.writers++;
    try {
      while (q.waiting.length) {
        const batch = q.waiting.splice(0, options.maxBatch);
        observeBatch(batch.length);
        try {
          const outcomes = await write(batch.map((w) => w.item));
          batch.forEach((w, i) => {
            const outcome = outcomes[i]!;
            if (outcome.ok) w.resolve(outcome.value);
            else w.reject(outcome.error);
          });
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      q.writers--;
    }
  }

  return (item: I): Promise<O> =>
    new Promise<O>((resolve, reject) => {
      const q = queue();
      q.waiting.push({ item, resolve, reject });
      if (q.writers < options.writers) void drain(q);
    });
}

/** Resolves once every group-commit queue of the process is empty and idle (shutdown), or after `timeoutMs`: whether they were. */
export async function groupCommitsSettled(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const idle = () => [...(holder.leashGroupCommit?.values() ?? [])].every((q) => q.waiting.length === 0 && q.writers === 0);
  while (!idle()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
