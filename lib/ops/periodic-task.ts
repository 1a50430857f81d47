// A task a server process runs in the background every few seconds (the approval and digest
// clocks, audit checkpoints, the legacy sealer): one run at a time (a slow run is not stacked),
// a failure logged once until a run succeeds again (the database is down: said once, not every
// tick), and a stop that waits for the run in flight (graceful shutdown). One per name per
// process, on globalThis: the Next bundle and the fast path are two module instances.
import { log } from '@/lib/log/logger';

type Task = { timer: NodeJS.Timeout; running: Promise<void> | null; stopped: boolean; failing: boolean };
const holder = globalThis as typeof globalThis & { leashPeriodicTasks?: Map<string, Task> };
const tasks = () => (holder.leashPeriodicTasks ??= new Map());

/** Starts `run` every `intervalMs` under `name` (a second start while it runs does nothing). */
export function startPeriodicTask(name: string, intervalMs: number, run: () => Promise<unknown>, component = 'ops'): void {
  const existing = tasks().get(name);
  if (existing && !existing.stopped) return;
  const task: Task = { timer: setInterval(() => void tick(), intervalMs), running: null, stopped: false, failing: false };
  task.timer.unref();
  tasks().set(name, task);
  async function tick() {
    if (task.running || task.stopped) return;
    task.running = (async () => {
      try {
        await run();
        task.failing = false;
      } catch (error) {
        if (!task.failing) log(component).error({ err: error, task: name }, `${name} failed`);
        task.failing = true;
      }
    })();
    await task.running;
    task.running = null;
  }
}

/** Stops the task and waits for its run in flight. */
export async function stopPeriodicTask(name: string): Promise<void> {
  const task = tasks().get(name);
  if (!task || task.stopped) return;
  task.stopped = true;
  clearInterval(task.timer);
  await task.running?.catch(() => {});
}
