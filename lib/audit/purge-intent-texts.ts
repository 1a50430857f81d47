// The retention purge of stored intents (issue 4, "a documented, audited procedure"): deletes the
// full texts whose retention period has ended and records the purge in the audit log, in one
// transaction. The log rows themselves are never touched (they keep the SHA-256), so the chain
// still verifies. Runs hourly in every server process (instrumentation.ts; concurrent runs are
// harmless) and on demand with `npm run audit:purge-intents`.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { log } from '@/lib/log/logger';

export async function purgeExpiredIntentTexts(now = new Date()): Promise<number> {
  return db().$transaction(async (tx) => {
    const purged = await tx.auditIntentText.deleteMany({ where: { purgeAfter: { lte: now } } });
    if (purged.count > 0) {
      await appendAuditEvent(tx, {
        action: 'audit.intent_purge',
        decision: 'ALLOW',
        reason: 'retention period of stored intents ended',
        details: { purged: purged.count, before: now.toISOString() },
      });
    }
    return purged.count;
  });
}

const HOUR_MS = 3_600_000;

/** Purges now and then every hour, in the background of a server process. */
export function schedulePurgeOfIntentTexts() {
  const run = () => purgeExpiredIntentTexts().catch((error) => log('audit').error({ err: error }, 'intent purge failed'));
  void run();
  setInterval(run, HOUR_MS).unref();
}
