// Part of `npm run bench`: how fast a revocation reaches (1) another instance's API and (2) a
// dashboard's live event stream. Each sample: a fresh token, seen once (so instance B holds it in
// its cache), revoked on instance A; then B is asked until it refuses, or the stream's next
// `tokens` event is awaited. Milliseconds from the revoke call's answer (instances), or from its
// start (the event stream, which usually hears of the commit before the revoke call answers).
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]!.toFixed(1));
}

type Issue = () => Promise<string>;
type Revoke = (token: string) => Promise<void>;

/**
 * One cross-instance measurement: per sample, milliseconds from the change call's answer on A to
 * B's first answer that honours it (B's time to answer that request included), and how many of B's
 * answers after the change call returned still ignored it (0 in every sample: B had heard of the
 * change before it read the first request sent after it).
 */
export type CrossInstance = { latencies: number[]; stale: number[]; changes?: Change[] };
/** One change call on A, in epoch milliseconds (the clock B's invalidation trace is written in). */
export type Change = { startedAt: number; answeredAt: number };

const epochNow = () => performance.timeOrigin + performance.now();

/**
 * When B heard of each change, from B's invalidation trace (LEASH_TRACE_INVALIDATIONS: one line per
 * notification, epoch ms and payload): per sample, milliseconds from the change call's answer on A
 * to the first `<kind>:` notification B received after the call started; negative when B heard
 * before A answered. What the end-to-end latency adds to this is B's time to answer.
 */
export function heardAfterAnswer(trace: string, changes: Change[], kind: string): number[] {
  const heard = trace
    .split('\n')
    .filter((line) => line.includes(` ${kind}:`))
    .map((line) => Number(line.slice(0, line.indexOf(' '))))
    .sort((a, b) => a - b);
  return changes.map(({ startedAt, answeredAt }, i) => {
    const at = heard.find((t) => t >= startedAt);
    if (at === undefined) throw new Error(`instance B's trace has no ${kind} notification for sample ${i + 1}`);
    return at - answeredAt;
  });
}

/** Percentiles of `heardAfterAnswer`, the fresh instance's first sample left out as in summarizeCrossInstance. */
export function summarizeHeard(heard: number[], coldFirst: boolean) {
  const steady = heard.slice(coldFirst ? 1 : 0);
  return { p50: percentile(steady, 0.5), p99: percentile(steady, 0.99), max: Number(Math.max(...steady).toFixed(1)), samplesMs: heard.map((ms) => Number(ms.toFixed(1))) };
}

/**
 * Percentiles of a cross-instance measurement. `coldFirst`: B is a fresh instance, and its first
 * sample runs B's refusal (or deny) code for the first time (V8 compiling it, Prisma planning its
 * queries: 100–150 ms once); reported apart as `firstMs`, not in the percentiles, which are about
 * the steady state.
 */
export function summarizeCrossInstance({ latencies, stale }: CrossInstance, coldFirst: boolean) {
  const first = coldFirst ? 1 : 0;
  const steady = latencies.slice(first);
  // Which sample was the slowest (counted from 1, the cold one included): warm-up or steady state.
  const slowest = steady.indexOf(Math.max(...steady)) + first + 1;
  return {
    p50: percentile(steady, 0.5),
    p99: percentile(steady, 0.99),
    samples: steady.length,
    slowestSample: slowest,
    ...(coldFirst ? { firstMs: Number(latencies[0]!.toFixed(1)) } : {}),
    staleAnswers: stale.reduce((a, b) => a + b, 0),
    // Every sample in order (the cold one included, so `slowestSample` indexes it): a tail of one
    // slow sample can then be told from a slow stretch (results.json only).
    samplesMs: latencies.map((ms) => Number(ms.toFixed(1))),
  };
}

export async function crossInstanceRevocation(samples: number, instanceB: string, issue: Issue, revoke: Revoke): Promise<CrossInstance> {
  const latencies: number[] = [];
  const stale: number[] = [];
  const changes: Change[] = [];
  for (let i = 0; i < samples; i++) {
    const token = await issue();
    const call = () => fetch(`${instanceB}/api/v1/datasets`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => (r.body?.cancel(), r.status));
    if ((await call()) !== 200) throw new Error('instance B refused a fresh token');
    const startedAt = epochNow();
    await revoke(token);
    const revokedAt = performance.now();
    changes.push({ startedAt, answeredAt: performance.timeOrigin + revokedAt });
    let accepted = 0;
    for (;;) {
      if ((await call()) !== 200) break;
      accepted++;
      if (performance.now() - revokedAt > 10_000) throw new Error('instance B still accepts a token revoked 10 s ago');
    }
    latencies.push(performance.now() - revokedAt);
    stale.push(accepted);
    await sleep(20);
  }
  return { latencies, stale, changes };
}

/**
 * How fast a policy saved on instance A decides instance B's next requests (issue 16 §2: B keeps
 * the policy in its cache until the notification arrives). Each sample saves "deny" (or "allow"
 * back) through A's dashboard API, then asks B until its answer changes. Milliseconds from the
 * save call's answer.
 */
export async function crossInstancePolicyChange(samples: number, instanceB: string, token: string, save: (deny: boolean) => Promise<void>): Promise<CrossInstance> {
  const call = () => fetch(`${instanceB}/api/v1/datasets`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => (r.body?.cancel(), r.status));
  if ((await call()) !== 200) throw new Error('instance B refused the token before any policy change');
  const latencies: number[] = [];
  const stale: number[] = [];
  for (let i = 0; i < samples; i++) {
    const deny = i % 2 === 0;
    await save(deny);
    const savedAt = performance.now();
    let old = 0;
    for (;;) {
      const status = await call();
      if (deny ? status === 403 : status === 200) break;
      old++;
      if (performance.now() - savedAt > 10_000) throw new Error(`instance B still answers ${status} 10 s after the policy changed`);
    }
    latencies.push(performance.now() - savedAt);
    stale.push(old);
    await sleep(20);
  }
  return { latencies, stale };
}

/** Signs in over HTTP (next-auth credentials), answers the session cookie header. */
export async function signIn(baseURL: string, email: string, password: string): Promise<string> {
  const origin = { Origin: new URL(baseURL).origin };
  const csrf = await fetch(`${baseURL}/api/auth/csrf`, { headers: origin });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = csrf.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const response = await fetch(`${baseURL}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...origin, Cookie: jar, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password, csrfToken, json: 'true' }),
  });
  const session = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.includes('session-token'));
  if (!session) throw new Error(`sign-in failed (${response.status})`);
  return session;
}

export async function liveUpdate(samples: number, baseURL: string, cookie: string, issue: Issue, revoke: Revoke): Promise<number[]> {
  const aborted = new AbortController();
  const stream = await fetch(`${baseURL}/api/live`, { headers: { Cookie: cookie, Accept: 'text/event-stream' }, signal: aborted.signal });
  if (stream.status !== 200 || !stream.body) throw new Error(`live stream refused (${stream.status})`);
  const reader = stream.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const nextEvent = async (topic: string) => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.includes(`event: ${topic}`)) return;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('live stream ended');
      buffer += value;
    }
  };
  await nextEvent('ready');
  const latencies: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const token = await issue();
      await nextEvent('tokens'); // the issuance itself
      // The event can arrive before the revoke call's answer: timed from the call's start.
      const seen = nextEvent('tokens').then(() => performance.now());
      const revokeStarted = performance.now();
      await revoke(token);
      latencies.push((await seen) - revokeStarted);
    }
  } finally {
    aborted.abort();
  }
  return latencies;
}
