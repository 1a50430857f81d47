// Test-only preload (`node --import`) that makes a spawned server's wall clock jump, as a bad NTP
// step or a restored VM snapshot would: `Date.now()` and `new Date()` are offset; the monotonic
// clock (`performance.now()`) is not, as a real jump does not move it. The database's clock, the
// test's and every other process's stay right.
// LEASH_TEST_CLOCK_JUMPS: comma-separated offsets in ms. The first applies from the start; each
// SIGUSR2 moves to the next (and wraps). Each change is reported on stderr ("[clock-jump] +3600000"),
// so a test knows when it happened. Never loaded outside tests (e2e/api/faults-process.spec.ts).
const offsets = (process.env.LEASH_TEST_CLOCK_JUMPS ?? '0').split(',').map(Number);
let index = 0;
let offset = offsets[0];
const RealDate = Date;
const now = () => RealDate.now() + offset;

globalThis.Date = new Proxy(RealDate, {
  construct: (target, args, newTarget) => Reflect.construct(target, args.length ? args : [now()], newTarget),
  apply: () => new RealDate(now()).toString(),
  get: (target, property, receiver) => (property === 'now' ? now : Reflect.get(target, property, receiver)),
});

const report = () => process.stderr.write(`[clock-jump] ${offset >= 0 ? '+' : ''}${offset}\n`);
process.on('SIGUSR2', () => {
  index = (index + 1) % offsets.length;
  offset = offsets[index];
  report();
});
report();
