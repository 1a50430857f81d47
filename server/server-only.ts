// Lets this process load lib/ modules that import `server-only` (server/server-only-hook.mjs):
// the fast path's handlers and the resources the shutdown closes. Once per process.
import { register } from 'node:module';

const holder = globalThis as typeof globalThis & { leashServerOnlyHook?: boolean };

export function allowServerOnlyModules(): void {
  if (holder.leashServerOnlyHook) return;
  holder.leashServerOnlyHook = true;
  register(new URL('./server-only-hook.mjs', import.meta.url));
}
