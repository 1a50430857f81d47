// How a Leash server process is started, in one place: `npm start`, `npm run serve` (package.json,
// checked against this by server/launch.test.ts), the e2e servers and the benchmark all use it, so
// what is measured and tested is what operators run.
//
// --max-semi-space-size=32 (MiB; Node's default is 16 on 64-bit machines): V8's young generation,
// where each request's short-lived objects are born, is three semi-spaces. Under load the default
// size fills quickly, and every scavenge also copies (and soon promotes) the objects of requests
// still in flight; twice the room means half as many scavenges. Measured with `npm run bench` (issue 16 §5,
// docs/performance.md): the audited API read from about 290 to 255 µs of server CPU per request;
// 64 and 128 gave no more. It costs up to 48 MiB more heap under load. Node's own guidance is to
// benchmark this value for the application (node --help, "--max-semi-space-size"). Only settable
// at start-up: V8 sizes the heap before any code runs, so it cannot be set from main.ts.
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/** What follows `node` to run the production server (paths relative to the project root). */
export const SERVER_NODE_ARGS: readonly string[] = [...SERVER_NODE_FLAGS, '--import', 'tsx'];

/** The production server's entry point. */
export const SERVER_ENTRY = 'server/main.ts';

/** The arguments of `node` that run the production server, for launchers that spawn it. */
export const SERVER_ARGV: readonly string[] = [...SERVER_NODE_ARGS, SERVER_ENTRY];

/** The whole command line, for launchers that take one string (Playwright's webServer). */
export const SERVER_COMMAND = ['node', ...SERVER_ARGV].join(' ');
