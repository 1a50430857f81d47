// Whether this process's clock can be trusted for time-based decisions (issue 19 §4). Every expiry
// Leash checks or sets (tokens, codes, sessions, DPoP proofs) reads the host's wall clock; if it
// jumps (a bad NTP step, a VM restored from a snapshot, an operator's `date -s`) an hour back, what
// expired is valid again; an hour ahead, tokens issued now live an hour longer than their lifetime
// in everyone else's time. The database's clock is the one reference every instance shares, so:
// - the database's time is sampled (now, then every 10 s) together with the monotonic clock, which
//   a wall-clock jump does not move, so the database's time is known at any instant in between;
// - a decision asks `assertClockTrusted()` first: when the wall clock is more than
//   LEASH_MAX_CLOCK_SKEW away from the database's, it throws ClockSkewError and the request fails
//   closed with 503 and Retry-After (nothing is decided on a wrong clock) until the clock is right
//   again, which the next sample or the jump back shows. The jump shows at once, not at the next sample.
// The state is process-wide (globalThis): the fast path and Next's mount load lib/ twice.
import 'server-only';
import { performance } from 'node:perf_hooks';
import { dbPool } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';

const SAMPLE_EVERY_MS = 10_000;

export class ClockSkewError extends Error {}

/** The database's time (ms since the epoch) at a monotonic instant. */
type Sample = { databaseMs: number; monotonicMs: number };
type State = { sample?: Sample; first?: Promise<void>; timer?: NodeJS.Timeout };
const holder = globalThis as typeof globalThis & { leashTrustedClock?: State };

async function takeSample(state: State): Promise<void> {
  const before = performance.now();
  const { rows } = await dbPool().query<{ ms: string }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::text AS ms');
  const after = performance.now();
  // The database read its clock about halfway through the round trip.
  state.sample = { databaseMs: Number(rows[0]!.ms), monotonicMs: (before + after) / 2 };
}

/** How far this process's wall clock is from the database's, in ms (positive: ahead); null before the first sample. */
export function clockSkewMs(): number | null {
  const sample = holder.leashTrustedClock?.sample;
  if (!sample) return null;
  return Date.now() - (sample.databaseMs + (performance.now() - sample.monotonicMs));
}

/**
 * Throws ClockSkewError when this process's clock is off. Synchronous once the first sample is in
 * (every request after the first: no promise on the hot path); until then, a promise that waits
 * for it and rejects the same way.
 */
export function assertClockTrusted(): Promise<void> | undefined {
  const state = (holder.leashTrustedClock ??= {});
  if (!state.sample) {
    // A failed first sample (the database is down) fails this request and is tried again by the next.
    state.first ??= takeSample(state).finally(() => (state.first = undefined));
    return state.first.then(() => {
      state.timer ??= setInterval(() => void takeSample(state).catch(() => {}), SAMPLE_EVERY_MS).unref();
      checkSkew();
    });
  }
  checkSkew();
  return undefined;
}

function checkSkew(): void {
  const skew = clockSkewMs()!;
  const allowed = getConfig().maxClockSkewMs;
  if (Math.abs(skew) > allowed) {
    throw new ClockSkewError(`this server's clock is ${Math.round(skew / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} the database's (at most ${allowed / 1000} s allowed)`);
  }
}
