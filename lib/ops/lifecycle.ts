// Where this server process is in its life (issue 19 §2), shared by the Next bundle and the fast
// path on globalThis: `serving` until a shutdown begins, then `draining` (readiness answers 503 so
// load balancers stop sending; in-flight requests finish), then `stopped`. server/lifecycle.ts
// drives it; the readiness probe reads it.
export type Phase = 'serving' | 'draining' | 'stopped';

const holder = globalThis as typeof globalThis & { leashPhase?: Phase };

export function phase(): Phase {
  return holder.leashPhase ?? 'serving';
}

export function setPhase(next: Phase): void {
  holder.leashPhase = next;
}

export function isDraining(): boolean {
  return phase() !== 'serving';
}
