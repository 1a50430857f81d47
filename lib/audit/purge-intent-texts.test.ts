// The retention purge of full intent texts on the real database: expired texts go, current ones
// stay, the purge itself is audited, and the log rows (with their hashes) are untouched.
import { afterAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from './append-audit-event';
import { expectedHash } from './chain-hash';
import { purgeExpiredIntentTexts } from './purge-intent-texts';
import { storedIntent } from './stored-intent';
import { closeDb, db } from '@/lib/db/client';

afterAll(closeDb);

describe('purgeExpiredIntentTexts', () => {
  it('deletes the texts past their retention, keeps the rest, and records the purge', async () => {
    const full = { intentStorage: 'FULL' as const, intentRetentionDays: 1 };
    const longAgo = new Date(Date.now() - 3 * 86_400_000);
    const old = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'datasets.list', decision: 'ALLOW', intent: storedIntent('Pay the March invoices', full, longAgo) }));
    const recent = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'datasets.list', decision: 'ALLOW', intent: storedIntent('Draft the weekly report', full) }));
    expect(await db().auditIntentText.count({ where: { eventId: { in: [old.id, recent.id] } } })).toBe(2);

    const purged = await purgeExpiredIntentTexts();
    expect(purged).toBeGreaterThanOrEqual(1);
    expect(await db().auditIntentText.findUnique({ where: { eventId: old.id } })).toBeNull();
    expect(await db().auditIntentText.findUnique({ where: { eventId: recent.id } })).toMatchObject({ text: 'Draft the weekly report' });

    // The log row still holds the hash of the purged text, and it verifies unchanged.
    const row = await db().auditEvent.findUniqueOrThrow({ where: { id: old.id } });
    expect(row.intent).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(expectedHash(row)).toBe(row.hash);

    const record = await db().auditEvent.findFirst({ where: { action: 'audit.intent_purge', id: { gt: recent.id } } });
    expect(record).toMatchObject({ decision: 'ALLOW', details: { purged } });
  });

  it('records nothing when nothing expired', async () => {
    const before = await db().auditEvent.count({ where: { action: 'audit.intent_purge' } });
    expect(await purgeExpiredIntentTexts(new Date(0))).toBe(0);
    expect(await db().auditEvent.count({ where: { action: 'audit.intent_purge' } })).toBe(before);
  });
});
