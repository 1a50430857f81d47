// The V8 crash that lib/policy/cedar.ts turns off, run in a process of its own (a crash there
// fails this test instead of killing the test worker): 10,000 new policy versions decided in a
// row. With TurboFan inlining the Cedar call, Node 20.20's V8 aborted at about the 2,000th, in
// every run.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

const DECIDE_MANY_VERSIONS = `
import { evaluatePolicy } from './lib/policy/evaluate-policy.ts';
const version = (effect) => ({ policies: { all: effect + '(principal, action, resource);' }, reasons: {}, tiers: { 'datasets.list': 'allow' }, text: '' });
const request = { agentId: 'a0', action: 'datasets.list', resource: { id: 'datasets', kind: 'dataset' }, scopes: [], now: new Date('2026-11-24T10:30:00Z'), timeZone: 'UTC', ip: '203.0.113.9', acr: null, jit: false };
let denied = 0;
for (let i = 0; i < 10000; i++) if (evaluatePolicy(version('forbid'), 'version-' + i, request).outcome === 'deny') denied++;
process.stdout.write(String(denied));
`;

test('deciding 10,000 new policy versions in a row does not crash the process', () => {
  const output = execFileSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', '--input-type=module', '-e', DECIDE_MANY_VERSIONS], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  expect(output).toBe('10000');
});
