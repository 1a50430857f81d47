// Saving policy versions on the real database, and what the resource server then loads: compiled
// or hand-written Cedar, validated before it is stored, audited, and safe against two editors.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, db } from '@/lib/db/client';
import { evaluatePolicy } from './evaluate-policy';
import { loadAgentPolicy } from './load-agent-policy';
import { defaultPolicyDocument } from './policy-document';
import { saveAgentPolicy } from './save-agent-policy';

afterAll(closeDb);

let userId: string;
let agentId: string;

beforeAll(async () => {
  const suffix = crypto.randomUUID();
  userId = (await db().user.create({ data: { email: `policy-${suffix}@example.test`, passwordHash: 'x' }, select: { id: true } })).id;
  agentId = (await db().agent.create({ data: { clientId: `agent-${suffix}`, name: 'Policy test agent', registration: 'DCR' }, select: { id: true } })).id;
});

const decide = async (action: 'datasets.list' | 'reports.list', now = new Date('2026-11-24T10:30:00Z')) => {
  const { compiled, cacheKey } = await loadAgentPolicy({ userId, agentId });
  return evaluatePolicy(compiled, cacheKey, {
    agentId,
    action,
    resource: { id: 'x', kind: action.split('.')[0]!.slice(0, -1) },
    scopes: ['datasets:read', 'reports:read'],
    now,
    timeZone: 'UTC',
    ip: '203.0.113.9',
    acr: null,
    jit: false,
  });
};

describe('saveAgentPolicy', () => {
  it('stores versions that apply at once, audited, and refuses a stale editor', async () => {
    const first = await saveAgentPolicy({ userId, agentId, document: { ...defaultPolicyDocument(), actions: { 'reports.list': 'deny' } }, expectedVersion: 0, savedById: userId });
    expect(first).toEqual({ ok: true, version: 1 });
    expect(await decide('reports.list')).toMatchObject({ outcome: 'deny', rule: 'deny-action:reports.list' });

    const stale = await saveAgentPolicy({ userId, agentId, document: defaultPolicyDocument(), expectedVersion: 0, savedById: userId });
    expect(stale).toEqual({ ok: false, reason: 'version_conflict', currentVersion: 1 });
    const audit = await db().auditEvent.findFirst({ where: { action: 'policy.update', agentId }, orderBy: { id: 'desc' } });
    expect(audit).toMatchObject({ userId, reason: 'policy v1 saved', details: { version: 1, handWritten: false } });
  });

  it('decides by the document as this build compiles it, even when the stored text is something else', async () => {
    // A version written by a build whose compiler wrote other text (here: a rule refusing
    // everything): the text is not the one saving validated, so loading validates this build's
    // compilation and decides by it; the stored text of a compiled policy never decides.
    const { version } = (await db().policy.findFirst({ where: { userId, agentId }, orderBy: { version: 'desc' }, select: { version: true } })) ?? { version: 0 };
    await db().policy.create({
      data: { userId, agentId, version: version + 1, document: defaultPolicyDocument(), cedar: '@id("everything") forbid (principal, action, resource);', handWritten: false, createdById: userId },
    });
    expect(await decide('datasets.list')).toMatchObject({ outcome: 'allow', rule: 'permit:datasets.list' });
    const loaded = await loadAgentPolicy({ userId, agentId });
    expect(loaded.version).toBe(version + 1);
    expect(loaded.compiled.text).not.toContain('everything');
  });

  it('refuses an invalid document and invalid Cedar, storing nothing', async () => {
    const before = await db().policy.count({ where: { userId, agentId } });
    const badDocument = await saveAgentPolicy({ userId, agentId, document: { ...defaultPolicyDocument(), ipRanges: ['10.0.0.0/99'] }, savedById: userId });
    expect(badDocument).toMatchObject({ ok: false, reason: 'invalid_document', issues: [{ path: 'ipRanges.0' }] });
    const badCedar = await saveAgentPolicy({ userId, agentId, document: defaultPolicyDocument(), cedar: 'permit (principal, action, resource) when { resource.owner == "me" };', savedById: userId });
    expect(badCedar).toMatchObject({ ok: false, reason: 'invalid_cedar' });
    const duplicateIds = await saveAgentPolicy({
      userId,
      agentId,
      document: defaultPolicyDocument(),
      cedar: '@id("a") permit (principal, action, resource);\n@id("a") forbid (principal, action, resource);',
      savedById: userId,
    });
    expect(duplicateIds).toEqual({ ok: false, reason: 'invalid_cedar', problems: [{ policy: 'a', message: 'Two rules have the @id "a".' }] });
    expect(await db().policy.count({ where: { userId, agentId } })).toBe(before);
  });

  it('hand-written Cedar decides, explained by its @id and @reason, with the document’s tiers', async () => {
    const cedar = [
      '@id("reads")\n@reason("dataset and report reads are allowed")\npermit (principal, action in [Leash::Action::"datasets.list", Leash::Action::"reports.list"], resource);',
      '@id("night")\n@reason("no calls before 06:00 UTC")\nforbid (principal, action, resource) when { context.minute < 360 };',
    ].join('\n\n');
    const saved = await saveAgentPolicy({ userId, agentId, document: { ...defaultPolicyDocument(), actions: { 'reports.list': 'notify' } }, cedar, savedById: userId });
    expect(saved).toMatchObject({ ok: true });
    const row = await db().policy.findFirstOrThrow({ where: { userId, agentId }, orderBy: { version: 'desc' } });
    expect(row).toMatchObject({ handWritten: true, cedar });
    expect(await decide('datasets.list')).toEqual({ outcome: 'allow', rule: 'reads', reason: 'dataset and report reads are allowed' });
    expect(await decide('reports.list')).toMatchObject({ outcome: 'notify', rule: 'reads' });
    expect(await decide('datasets.list', new Date('2026-11-24T05:00:00Z'))).toEqual({ outcome: 'deny', rule: 'night', reason: 'no calls before 06:00 UTC' });
  });
});
