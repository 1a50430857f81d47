// The daily digest without a server: when it is due in the person's time zone (DST days, quiet
// hours across midnight), what it says (exact counts, the audit link, markup in a name escaped),
// then on the real database: counted by aggregate queries from the audit log, the approval
// requests and the alerts; claimed once per day even by concurrent sweeps (two instances); not
// sent on a quiet day, nor when off; recorded and audited when sent.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { DEFAULT_PREFERENCES, type NotificationPreferences } from './notification-settings';
import { digestSendTime, dueDigestDay, latestDigestDay, nextDigestTime, zonedInstant, type DigestSchedule } from './digest-schedule';
import { auditLink, composeDigest, type AgentActivity } from './digest-message';
import { loadDigestActivity } from './digest-activity';
import { sendDueDigests } from './digest-clock';
import { databaseNow, scheduleDigest } from './schedule-digest';

const at = (iso: string) => new Date(iso);

describe('when the digest is due', () => {
  it('reads the hour on the person’s wall clock, across DST changes', () => {
    expect(zonedInstant('2026-01-15', 8 * 60, 'Asia/Tokyo')).toEqual(at('2026-01-14T23:00:00Z'));
    expect(zonedInstant('2026-03-29', 10 * 60, 'Europe/Paris')).toEqual(at('2026-03-29T08:00:00Z')); // the first day of summer time
    expect(zonedInstant('2026-03-29', 2 * 60 + 30, 'Europe/Paris')).toEqual(at('2026-03-29T01:30:00Z')); // 02:30 does not exist: 03:30
    expect(zonedInstant('2026-10-25', 2 * 60 + 30, 'Europe/Paris')).toEqual(at('2026-10-25T00:30:00Z')); // 02:30 happens twice: the first
    expect(zonedInstant('2026-10-25', 8 * 60, 'Europe/Paris')).toEqual(at('2026-10-25T07:00:00Z'));
  });

  it('is due from the hour on, once per day; turning it on counts the days already past as done', () => {
    const paris: DigestSchedule = { timeZone: 'Europe/Paris', hour: 8, quietHours: null };
    expect(dueDigestDay(at('2026-01-15T06:59:00Z'), paris, '2026-01-14')).toBeNull(); // 07:59 in Paris
    expect(dueDigestDay(at('2026-01-15T07:00:00Z'), paris, '2026-01-14')).toBe('2026-01-15');
    expect(dueDigestDay(at('2026-01-15T12:00:00Z'), paris, '2026-01-15')).toBeNull(); // claimed
    expect(dueDigestDay(at('2026-01-15T12:00:00Z'), paris, '2026-01-12')).toBe('2026-01-15'); // missed days are not caught up: the latest only
    expect(latestDigestDay(at('2026-01-15T06:59:00Z'), paris)).toBe('2026-01-14');
    expect(nextDigestTime(at('2026-01-15T07:00:05Z'), paris, '2026-01-15')).toEqual(at('2026-01-16T07:00:00Z'));
    expect(nextDigestTime(at('2026-01-15T06:00:00Z'), paris, '2026-01-14')).toEqual(at('2026-01-15T07:00:00Z'));
  });

  it('waits for the end of quiet hours, which may be the next day, and is never sent during them', () => {
    const late: DigestSchedule = { timeZone: 'UTC', hour: 23, quietHours: { start: '22:00', end: '07:00' } };
    expect(digestSendTime('2026-01-15', late)).toEqual(at('2026-01-16T07:00:00Z'));
    expect(dueDigestDay(at('2026-01-15T23:30:00Z'), late, '2026-01-14')).toBeNull();
    expect(dueDigestDay(at('2026-01-16T07:00:00Z'), late, '2026-01-14')).toBe('2026-01-15');
    expect(nextDigestTime(at('2026-01-16T07:00:10Z'), late, '2026-01-15')).toEqual(at('2026-01-17T07:00:00Z'));
    const early: DigestSchedule = { timeZone: 'UTC', hour: 6, quietHours: { start: '22:00', end: '07:00' } };
    expect(digestSendTime('2026-01-15', early)).toEqual(at('2026-01-15T07:00:00Z'));
    // A server that was down at the hour catches up, but not in the middle of the night.
    const noon: DigestSchedule = { timeZone: 'UTC', hour: 12, quietHours: { start: '22:00', end: '07:00' } };
    expect(dueDigestDay(at('2026-01-15T23:00:00Z'), noon, '2026-01-14')).toBeNull();
    expect(nextDigestTime(at('2026-01-15T23:00:00Z'), noon, '2026-01-14')).toEqual(at('2026-01-16T07:00:00Z'));
    expect(dueDigestDay(at('2026-01-16T07:00:00Z'), noon, '2026-01-14')).toBe('2026-01-15');
  });
});

describe('composeDigest', () => {
  const from = at('2026-01-14T07:00:00Z');
  const to = at('2026-01-15T07:00:00Z');
  const empty = { calls: { allowed: 0, refused: 0, held: 0 }, approvals: { approved: 0, denied: 0, expired: 0, pending: 0 }, alerts: { critical: 0, warning: 0, info: 0 } };
  const activity: AgentActivity[] = [
    { ...empty, agentId: 'a1', name: 'Ledger <b>bot</b>', mark: 'id …f9QmZ0', calls: { allowed: 3, refused: 2, held: 1 }, approvals: { approved: 1, denied: 1, expired: 0, pending: 0 } },
    { ...empty, agentId: 'a2', name: 'Reports & co', mark: 'reports.example', calls: { allowed: 1, refused: 0, held: 0 }, alerts: { critical: 0, warning: 2, info: 1 } },
    { ...empty, agentId: null, name: 'Your account', mark: null, alerts: { critical: 1, warning: 0, info: 0 } },
  ];
  const message = composeDigest(activity, { issuer: 'https://leash.example', timeZone: 'Europe/Paris', from, to });

  it('says the window, the totals, and each agent’s counts with a link to its audit rows', () => {
    expect(message.subject).toBe('Leash daily digest: 4 calls allowed, 2 refused, 1 held, 2 approvals asked (1 approved, 1 denied), 4 alerts (1 critical, 2 warnings, 1 informational)');
    const link = 'https://leash.example/audit?agent=a1&from=2026-01-14T07%3A00%3A00.000Z&to=2026-01-15T07%3A00%3A00.000Z';
    expect(auditLink('https://leash.example', 'a1', from, to)).toBe(link);
    expect(message.text).toContain('What your agents did in the 24 hours to 08:00 on Thursday 15 January (Europe/Paris).');
    expect(message.text).toContain(
      [
        'Ledger <b>bot</b> (id …f9QmZ0)',
        '  Calls: 3 allowed, 2 refused, 1 held for a second factor or your approval',
        '  Approvals: 2 asked: 1 approved, 1 denied',
        `  Its audit log for these 24 hours: ${link}`,
        '',
        'Reports & co (reports.example)',
        '  Calls: 1 allowed, 0 refused',
        '  Alerts: 2 warnings, 1 informational',
      ].join('\n'),
    );
    expect(message.text).toContain('Your account\n  Calls: none\n  Alerts: 1 critical\n  Your alerts: https://leash.example/alerts');
  });

  it('escapes every name in the HTML part', () => {
    expect(message.html).toContain('<strong>Ledger &lt;b&gt;bot&lt;/b&gt;</strong>');
    expect(message.html).toContain('<strong>Reports &amp; co</strong>');
    expect(message.html).not.toContain('<b>bot</b>');
    expect(message.html).toContain('<a href="https://leash.example/audit?agent=a1&amp;from=2026-01-14T07%3A00%3A00.000Z&amp;to=2026-01-15T07%3A00%3A00.000Z">');
  });
});

describe('the digest clock, on the database', () => {
  let userId: string;
  let busy: string;
  let quiet: string;
  let now: Date;
  const suffix = crypto.randomBytes(4).toString('hex');

  const audit = (agentId: string, decision: 'ALLOW' | 'DENY' | 'APPROVAL', action: 'datasets.list' | 'invoices.list' | 'token.issue' = 'datasets.list') =>
    db().$transaction((tx) =>
      action === 'token.issue'
        ? appendAuditEvent(tx, { action, decision, userId, agentId, ip: 'test', details: { grant_type: 'authorization_code', kind: 'ACCESS', expires_at: new Date().toISOString() } })
        : appendAuditEvent(tx, { action, decision, userId, agentId, ip: 'test', details: decision === 'ALLOW' ? { status: 200 } : undefined }),
    );
  const approval = (agentId: string, status: 'APPROVED' | 'DENIED' | 'EXPIRED' | 'PENDING') =>
    db().approvalRequest.create({
      data: { authReqIdHash: crypto.randomBytes(16).toString('hex'), userId, agentId, status, scopes: ['payments:write'], resources: [], expiresAt: new Date(Date.now() + 60_000) },
    });
  const save = async (preferences: NotificationPreferences, user = userId) =>
    db().$transaction(async (tx) => {
      await tx.notificationSettings.upsert({ where: { userId: user }, create: { userId: user, preferences }, update: { preferences } });
      await scheduleDigest(tx, { userId: user, timeZone: 'UTC', preferences });
    });
  const digests = (user: string) => db().notificationDelivery.findMany({ where: { userId: user, event: 'digest' }, select: { channel: true, target: true, outcome: true, detail: true } });

  beforeAll(async () => {
    userId = (await db().user.create({ data: { email: `digest-${suffix}@example.test`, passwordHash: 'x' }, select: { id: true } })).id;
    busy = (await db().agent.create({ data: { clientId: `digest-busy-${suffix}`, name: 'Busy <i>agent</i>', registration: 'DCR' }, select: { id: true } })).id;
    quiet = (await db().agent.create({ data: { clientId: `digest-quiet-${suffix}`, name: 'Quiet agent', registration: 'DCR' }, select: { id: true } })).id;
    now = await databaseNow(db());
  });
  afterAll(closeDb);

  it('counts calls, approvals and alerts per agent from the tables, and only the window’s', async () => {
    for (let i = 0; i < 3; i++) await audit(busy, 'ALLOW');
    await audit(busy, 'DENY', 'invoices.list');
    await audit(busy, 'DENY', 'invoices.list');
    await audit(busy, 'APPROVAL');
    await audit(busy, 'ALLOW', 'token.issue'); // not a call
    await audit(quiet, 'ALLOW');
    await approval(busy, 'APPROVED');
    await approval(busy, 'DENIED');
    await approval(busy, 'EXPIRED');
    await db().alert.createMany({
      data: [
        { userId, agentId: quiet, kind: 'outside_time_window', severity: 'WARNING', message: 'x' },
        { userId, agentId: null, kind: 'step_up_failures', severity: 'CRITICAL', message: 'y' },
        // Before the window: not counted.
        { userId, agentId: quiet, kind: 'old', severity: 'INFO', message: 'z', createdAt: new Date(Date.now() - 25 * 3600_000) },
      ],
    });
    const to = new Date(Date.now() + 60_000);
    const activity = await loadDigestActivity({ userId, from: new Date(to.getTime() - 86_400_000), to });
    expect(activity.map((a) => [a.name, a.mark, a.calls, a.approvals, a.alerts])).toEqual([
      ['Busy <i>agent</i>', `id …${suffix.slice(-6)}`, { allowed: 3, refused: 2, held: 1 }, { approved: 1, denied: 1, expired: 1, pending: 0 }, { critical: 0, warning: 0, info: 0 }],
      ['Quiet agent', `id …${suffix.slice(-6)}`, { allowed: 1, refused: 0, held: 0 }, { approved: 0, denied: 0, expired: 0, pending: 0 }, { critical: 0, warning: 1, info: 0 }],
      ['Your account', null, { allowed: 0, refused: 0, held: 0 }, { approved: 0, denied: 0, expired: 0, pending: 0 }, { critical: 1, warning: 0, info: 0 }],
    ]);
    // Someone else's window is empty.
    const stranger = (await db().user.create({ data: { email: `digest-other-${suffix}@example.test`, passwordHash: 'x' }, select: { id: true } })).id;
    expect(await loadDigestActivity({ userId: stranger, from: new Date(to.getTime() - 86_400_000), to })).toEqual([]);
  });

  it('is claimed once per day by concurrent sweeps, sent, recorded and audited; not again that day; again the next', async () => {
    // The hour after this one (UTC): not due now; due an hour later.
    const hour = (now.getUTCHours() + 1) % 24;
    await save({ ...DEFAULT_PREFERENCES, digest: { enabled: true, hour } });
    expect(await Promise.all([sendDueDigests({ now }), sendDueDigests({ now })])).toEqual([0, 0]);
    const later = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), now.getUTCHours() + 1, 0, 30));
    const claims = await Promise.all([sendDueDigests({ now: later }), sendDueDigests({ now: later }), sendDueDigests({ now: later })]);
    expect(claims.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await digests(userId)).toEqual([{ channel: 'EMAIL', target: `digest-${suffix}@example.test`, outcome: 'sent', detail: 'kept in the dev mailbox (no SMTP server configured)' }]);
    const day = later.toISOString().slice(0, 10);
    const row = await db().$queryRaw<{ sent_for: string; due: Date }[]>`SELECT digest_sent_for::text AS sent_for, digest_due_at AS due FROM notification_settings WHERE user_id = ${userId}::uuid`;
    expect(row[0]).toEqual({ sent_for: day, due: new Date(later.getTime() - 30_000 + 86_400_000) });
    const audited = await db().$queryRaw<{ details: unknown; reason: string }[]>`SELECT details, reason FROM audit_events WHERE user_id = ${userId}::uuid AND action = 'notification.send'`;
    expect(audited).toEqual([
      {
        details: { channel: 'email', event: 'digest', outcome: 'sent', target: `digest-${suffix}@example.test`, detail: 'kept in the dev mailbox (no SMTP server configured)', digest_for: day },
        reason: `daily digest for ${day} sent by email (digest-${suffix}@example.test): kept in the dev mailbox (no SMTP server configured)`,
      },
    ]);
    const mail = await db().devMail.findFirst({ where: { to: `digest-${suffix}@example.test` } });
    expect(mail?.subject).toBe('Leash daily digest: 4 calls allowed, 2 refused, 1 held, 3 approvals asked (1 approved, 1 denied, 1 expired), 2 alerts (1 critical, 1 warning)');
    expect(mail?.text).toContain('Busy <i>agent</i>');
    expect(mail?.html).toContain('Busy &lt;i&gt;agent&lt;/i&gt;');

    // The same day again: nothing. Saving the settings again sends nothing at once either.
    expect(await sendDueDigests({ now: new Date(later.getTime() + 3600_000) })).toBe(0);
    await save({ ...DEFAULT_PREFERENCES, digest: { enabled: true, hour } });
    expect(await sendDueDigests({ now: new Date(later.getTime() + 3600_000) })).toBe(0);
    // The next day's hour: the next digest, of that day's 24 hours only (one request filed after the first digest).
    await db().approvalRequest.create({
      data: { authReqIdHash: crypto.randomBytes(16).toString('hex'), userId, agentId: quiet, scopes: [], resources: [], createdAt: new Date(later.getTime() + 3600_000), expiresAt: new Date() },
    });
    expect(await sendDueDigests({ now: new Date(later.getTime() + 86_400_000) })).toBe(1);
    expect(await digests(userId)).toHaveLength(2);
    const next = await db().devMail.findFirst({ where: { to: `digest-${suffix}@example.test` }, orderBy: { createdAt: 'desc' } });
    expect(next?.subject).toBe('Leash daily digest: no calls, 1 approval asked (1 still pending)');
  });

  it('sends nothing when it is off, or when nothing happened', async () => {
    const off = (await db().user.create({ data: { email: `digest-off-${suffix}@example.test`, passwordHash: 'x' }, select: { id: true } })).id;
    await db().$transaction((tx) => appendAuditEvent(tx, { action: 'datasets.list', decision: 'ALLOW', userId: off, agentId: busy, ip: 'test', details: { status: 200 } }));
    await save({ ...DEFAULT_PREFERENCES, digest: { enabled: false, hour: 8 } }, off);
    const nothing = (await db().user.create({ data: { email: `digest-none-${suffix}@example.test`, passwordHash: 'x' }, select: { id: true } })).id;
    await save({ ...DEFAULT_PREFERENCES, digest: { enabled: true, hour: (now.getUTCHours() + 1) % 24 } }, nothing);
    const tomorrow = new Date(now.getTime() + 2 * 86_400_000);
    await sendDueDigests({ now: tomorrow });
    expect(await digests(off)).toEqual([]);
    expect(await digests(nothing)).toEqual([]);
    // The quiet day still counts as done: not looked at again before the next one.
    const rows = await db().$queryRaw<{ user_id: string; due: Date | null }[]>`SELECT user_id::text, digest_due_at AS due FROM notification_settings WHERE user_id IN (${off}::uuid, ${nothing}::uuid)`;
    expect(rows.find((r) => r.user_id === off)?.due).toBeNull();
    expect(rows.find((r) => r.user_id === nothing)?.due?.getTime()).toBeGreaterThan(tomorrow.getTime());
  });
});
