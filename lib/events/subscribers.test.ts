// The alert rules hear Leash's events through the real wiring (lib/events/leash-events.ts loads
// lib/events/subscribers.ts itself), on the real database: the rules key on the events' typed
// fields (the policy rule id, the decision), not on a reason's words. And the layering the events
// exist for: the protocol core and the resource server never import lib/alerts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, db } from '@/lib/db/client';
import { createUserWithAgent } from '@/lib/db/test-fixtures';
import { emitEvent } from '@/lib/events/leash-events';
import { TIME_WINDOW_RULE } from '@/lib/policy/compile-policy';

let userId: string;
let agentId: string;
beforeAll(async () => {
  ({ userId, agentId } = await createUserWithAgent('events', 'Events test agent'));
});
afterAll(closeDb);

const alerts = async (kind: string) => db().alert.findMany({ where: { userId, agentId, kind }, select: { severity: true, details: true } });

describe('alerts as listeners of events', () => {
  it('a reused refresh token raises the critical alert', async () => {
    await emitEvent('refresh_token.reused', { userId, agentId, familyId: 'family-1', ip: '203.0.113.9' });
    expect(await alerts('refresh_token_reuse')).toEqual([{ severity: 'CRITICAL', details: { family: 'family-1', ip: '203.0.113.9' } }]);
  });

  it('an out-of-hours refusal is known by its policy rule id, not by its reason', async () => {
    await emitEvent('call.refused', { userId, agentId, action: 'reports.list', decision: 'DENY', policyRule: 'default-deny' });
    await emitEvent('call.refused', { userId, agentId, action: 'reports.list', decision: 'STEP_UP', policyRule: TIME_WINDOW_RULE });
    expect(await alerts('outside_time_window')).toEqual([]);
    await emitEvent('call.refused', { userId, agentId, action: 'reports.list', decision: 'DENY', policyRule: TIME_WINDOW_RULE });
    expect(await alerts('outside_time_window')).toEqual([{ severity: 'WARNING', details: { action: 'reports.list' } }]);
  });

  it('a call by an agent for itself (no user) raises nothing, and never fails the emitter', async () => {
    await expect(emitEvent('call.refused', { userId: null, agentId, action: 'datasets.list', decision: 'DENY', policyRule: TIME_WINDOW_RULE })).resolves.toBeUndefined();
    await expect(emitEvent('refresh_token.reused', { userId: null, agentId, familyId: 'f', ip: 'x' })).resolves.toBeUndefined();
  });
});

describe('layering', () => {
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? sources(full) : /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
    });
  const importsOf = (file: string) => [...fs.readFileSync(file, 'utf8').matchAll(/(?:from |import\()'(@\/lib\/[^']+)'/g)].map((m) => m[1]!);
  const root = process.cwd();

  it('the protocol core and the resource server do not import lib/alerts', () => {
    for (const folder of ['lib/oauth', 'lib/resource']) {
      for (const file of sources(path.join(root, folder)))
        expect(
          importsOf(file).filter((i) => i.startsWith('@/lib/alerts/')),
          path.relative(root, file),
        ).toEqual([]);
    }
  });

  it('only lib/alerts and the events wiring import the rules or raiseAlert', () => {
    const allowed = new Set(['lib/events/subscribers.ts']);
    for (const file of [...sources(path.join(root, 'lib')), ...sources(path.join(root, 'app'))]) {
      const relative = path.relative(root, file);
      if (relative.startsWith('lib/alerts/') || allowed.has(relative)) continue;
      const wrong = importsOf(file).filter((i) => /^@\/lib\/alerts\/(rules|raise-alert)$/.test(i));
      expect(wrong, relative).toEqual([]);
    }
  });
});
