// The rules of notifications without sending anything: quiet hours in the user's time zone (across
// midnight), which channels an event goes to, and what an approval message says (the link only
// opens the request). Then the approval clock on the real database: a reminder is claimed once
// even by concurrent sweeps, and a request whose time ran out becomes EXPIRED with its audit row.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, db } from '@/lib/db/client';
import { createUserWithAgent } from '@/lib/db/test-fixtures';
import { inQuietHours, minuteOfDay } from './quiet-hours';
import { planDeliveries } from './plan-deliveries';
import { DEFAULT_PREFERENCES } from './notification-settings';
import { composeApprovalMessage } from './approval-message';
import { expireApprovals, sendReminders } from './approval-clock';
import type { ApprovalForMessage } from './load-approval';

describe('quiet hours', () => {
  const at = (iso: string) => new Date(iso);
  it('reads the wall clock in the user’s time zone', () => {
    expect(minuteOfDay(at('2026-01-15T23:30:00Z'), 'UTC')).toBe(23 * 60 + 30);
    expect(minuteOfDay(at('2026-01-15T23:30:00Z'), 'Asia/Tokyo')).toBe(8 * 60 + 30);
    expect(minuteOfDay(at('2026-07-15T12:00:00Z'), 'Europe/Paris')).toBe(14 * 60); // summer time
  });

  it('spans midnight when the end is before the start, end excluded', () => {
    const night = { start: '22:00', end: '07:00' };
    expect(inQuietHours(at('2026-01-15T22:00:00Z'), 'UTC', night)).toBe(true);
    expect(inQuietHours(at('2026-01-16T03:00:00Z'), 'UTC', night)).toBe(true);
    expect(inQuietHours(at('2026-01-16T07:00:00Z'), 'UTC', night)).toBe(false);
    expect(inQuietHours(at('2026-01-15T21:59:00Z'), 'UTC', night)).toBe(false);
    // 23:00 UTC is 08:00 in Tokyo: not quiet there.
    expect(inQuietHours(at('2026-01-15T23:00:00Z'), 'Asia/Tokyo', night)).toBe(false);
    expect(inQuietHours(at('2026-01-15T13:00:00Z'), 'Asia/Tokyo', night)).toBe(true);
    const lunch = { start: '12:00', end: '13:00' };
    expect(inQuietHours(at('2026-01-15T12:30:00Z'), 'UTC', lunch)).toBe(true);
    expect(inQuietHours(at('2026-01-15T13:30:00Z'), 'UTC', lunch)).toBe(false);
    expect(inQuietHours(at('2026-01-15T12:30:00Z'), 'UTC', null)).toBe(false);
  });
});

describe('planDeliveries', () => {
  const now = new Date('2026-01-15T03:00:00Z');
  it('sends an event to the channels that list it, and only those', () => {
    expect(planDeliveries(DEFAULT_PREFERENCES, 'approval_requested', { now, timeZone: 'UTC' })).toEqual([
      { channel: 'email', skip: null },
      { channel: 'push', skip: null },
    ]);
    expect(planDeliveries(DEFAULT_PREFERENCES, 'alert_info', { now, timeZone: 'UTC' })).toEqual([{ channel: 'webhook', skip: null }]);
    expect(planDeliveries({ ...DEFAULT_PREFERENCES, email: [], push: [] }, 'approval_requested', { now, timeZone: 'UTC' })).toEqual([]);
  });

  it('skips email and push during quiet hours, not the webhook', () => {
    const prefs = { ...DEFAULT_PREFERENCES, webhook: ['approval_requested' as const], quietHours: { start: '22:00', end: '07:00' } };
    expect(planDeliveries(prefs, 'approval_requested', { now, timeZone: 'UTC' })).toEqual([
      { channel: 'email', skip: 'quiet hours' },
      { channel: 'push', skip: 'quiet hours' },
      { channel: 'webhook', skip: null },
    ]);
    // 03:00 UTC is 12:00 in Tokyo: not quiet there.
    expect(planDeliveries(prefs, 'approval_requested', { now, timeZone: 'Asia/Tokyo' }).every((p) => p.skip === null)).toBe(true);
  });
});

describe('composeApprovalMessage', () => {
  const approval = {
    id: '0190d6c2-7a1e-7c3e-9d2a-2f1a6b3c4d5e',
    agentId: 'a',
    agentName: 'Pay <b>bot</b>',
    agentClientId: 'agt_123',
    agentVerifiedDomain: null,
    details: ['Pay €1,250.00 to ACME Facilities Ltd'],
    scopes: [{ name: 'payments:write', description: 'Initiate payments' }],
    bindingMessage: 'Invoice INV-7 "late fee"',
    intent: null,
    windowMinutes: 10,
    expiresAt: '2026-01-15T10:05:00.000Z',
  } as unknown as ApprovalForMessage;

  it('says who, what in words, why, until when, and where to review; the link only opens the request', () => {
    const message = composeApprovalMessage(approval, { kind: 'approval_requested', issuer: 'https://leash.example', timeZone: 'Europe/Paris', now: new Date('2026-01-15T10:00:00Z') });
    expect(message.subject).toBe('Pay <b>bot</b> asks for your approval: Pay €1,250.00 to ACME Facilities Ltd');
    expect(message.text).toContain('Pay <b>bot</b> (agt_123) asks to:\n  - Pay €1,250.00 to ACME Facilities Ltd');
    expect(message.text).toContain('Its message: "Invoice INV-7 "late fee""');
    expect(message.text).toContain('The request expires at 11:05 CET (in 5 minutes).');
    expect(message.text).toContain('Review it: https://leash.example/approvals/0190d6c2-7a1e-7c3e-9d2a-2f1a6b3c4d5e');
    // HTML escapes what agents wrote.
    expect(message.html).toContain('<strong>Pay &lt;b&gt;bot&lt;/b&gt;</strong>');
    expect(message.html).toContain('&ldquo;Invoice INV-7 &quot;late fee&quot;&rdquo;');
    expect(message.html).not.toContain('<b>bot</b>');
    expect(message.push).toEqual({
      title: 'Pay <b>bot</b> asks for approval',
      body: 'Pay €1,250.00 to ACME Facilities Ltd\n“Invoice INV-7 "late fee"”',
      url: 'https://leash.example/approvals/0190d6c2-7a1e-7c3e-9d2a-2f1a6b3c4d5e',
      tag: 'approval-0190d6c2-7a1e-7c3e-9d2a-2f1a6b3c4d5e',
    });
    const reminder = composeApprovalMessage(approval, { kind: 'approval_expiring', issuer: 'https://leash.example', timeZone: 'UTC', now: new Date('2026-01-15T10:04:00Z') });
    expect(reminder.subject).toBe('Reminder: Pay <b>bot</b> is still waiting for your approval (1 minute left)');
    expect(reminder.push.title).toBe('1 minute left to decide');
  });
});

describe('the approval clock', () => {
  let userId: string;
  let agentId: string;
  beforeAll(async () => {
    ({ userId, agentId } = await createUserWithAgent('clock', 'Clock agent'));
  });
  afterAll(closeDb);

  const request = (expiresInMs: number) =>
    db().approvalRequest.create({
      data: { authReqIdHash: crypto.randomBytes(16).toString('hex'), userId, agentId, scopes: ['payments:write'], resources: [], expiresAt: new Date(Date.now() + expiresInMs) },
      select: { id: true },
    });

  it('claims a due reminder once, even when sweeps run concurrently, and sends it (the dev mailbox without SMTP)', async () => {
    const due = await request(60_000);
    const later = await request(4 * 60_000);
    const counts = await Promise.all([sendReminders(), sendReminders(), sendReminders()]);
    const rows = await db().approvalRequest.findMany({ where: { id: { in: [due.id, later.id] } }, select: { id: true, remindedAt: true } });
    expect(rows.find((r) => r.id === due.id)?.remindedAt).not.toBeNull();
    expect(rows.find((r) => r.id === later.id)?.remindedAt).toBeNull();
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const sent = await db().notificationDelivery.findMany({ where: { approvalRequestId: due.id }, select: { event: true, channel: true, outcome: true, detail: true } });
    // The default preferences send reminders by push only; this user has no device, so nothing is recorded
    // for push, and email does not list reminders by default.
    expect(sent).toEqual([]);
    await db().notificationSettings.create({ data: { userId, preferences: { ...DEFAULT_PREFERENCES, email: ['approval_expiring'] } } });
    const another = await request(60_000);
    await Promise.all([sendReminders(), sendReminders()]);
    expect(await db().notificationDelivery.findMany({ where: { approvalRequestId: another.id }, select: { event: true, channel: true, outcome: true, detail: true } })).toEqual([
      { event: 'approval_expiring', channel: 'EMAIL', outcome: 'sent', detail: 'kept in the dev mailbox (no SMTP server configured)' },
    ]);
    const kept = await db().devMail.findFirst({ where: { to: { startsWith: 'clock-' } }, orderBy: { createdAt: 'desc' } });
    expect(kept?.subject).toBe('Reminder: Clock agent is still waiting for your approval (1 minute left)');
  });

  it('expires what ran out, once, with its audit row', async () => {
    const old = await request(-1000);
    const alive = await request(60_000);
    const counts = await Promise.all([expireApprovals(), expireApprovals()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const statuses = await db().approvalRequest.findMany({ where: { id: { in: [old.id, alive.id] } }, select: { id: true, status: true } });
    expect(statuses.find((s) => s.id === old.id)?.status).toBe('EXPIRED');
    expect(statuses.find((s) => s.id === alive.id)?.status).toBe('PENDING');
    const audit = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM audit_events WHERE action = 'elevation.expire' AND details->>'approval_request' = ${old.id}`;
    expect(audit[0]!.n).toBe(1);
  });
});
