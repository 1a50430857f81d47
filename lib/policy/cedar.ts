// Cedar (@cedar-policy/cedar-wasm), for every module that calls it. Importing it from here first
// turns off one V8 optimisation for the process: TurboFan's inlining of JavaScript → WebAssembly
// calls (`--turbo-inline-js-wasm-calls`). With it on, Node 20's V8 (11.3) aborts the whole process
// ("Fatal error … unreachable code" in `Deoptimizer::DoComputeBuiltinContinuation`) when a function
// that calls Cedar is deoptimized while the Cedar call is running: deciding about 2,000 new policy
// versions in a row did it in 3 runs of 3 (lib/policy/cedar-crash.test.ts), and none with the flag
// off. Cedar's answers are memoised (evaluate-policy.ts), so its calls are rare and the generic
// call costs nothing measurable. The flag is read when a function is optimized, so setting it
// while the process runs works, before or after Cedar loads.
import v8 from 'node:v8';

v8.setFlagsFromString('--no-turbo-inline-js-wasm-calls');

export * from '@cedar-policy/cedar-wasm/nodejs';
