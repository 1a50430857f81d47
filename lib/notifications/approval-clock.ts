// Expiry the person can see (issue 17 §4), done in the background of every instance:
// - Reminders: a pending request whose expiry is within the user's reminder window
//   (notification_settings.preferences.reminderMinutes, default DEFAULT_PREFERENCES) is claimed by
//   setting `reminded_at` in the same statement that picks it (`FOR UPDATE SKIP LOCKED`), so with
//   several instances each request is reminded by exactly one of them, once. The claim commits
//   before the message is sent: an instance that dies in between loses that reminder (at most
//   once; a reminder that came twice would teach people to ignore them).
// - Expiry: a request still pending after its `expires_at` becomes EXPIRED (a compare-and-swap on
//   PENDING, also SKIP LOCKED) with its `elevation.expire` audit row in the same transaction; the
//   agent's next poll answers expired_token (OpenID CIBA Core §11), which it would have anyway, and
//   the inbox (live on the status change) and the log now say so.
// One worker per process (lib/ops/periodic-task.ts), started by instrumentation.ts, stopped by the
// graceful shutdown.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { log } from '@/lib/log/logger';
import { startPeriodicTask, stopPeriodicTask } from '@/lib/ops/periodic-task';
import { DEFAULT_PREFERENCES } from '@/lib/notifications/notification-settings';
import { notifyApproval } from '@/lib/notifications/notify-approval';

const SWEEP_MS = 2_000;
const BATCH = 50;

export const startApprovalClock = () =>
  startPeriodicTask(
    'approval clock',
    SWEEP_MS,
    async () => {
      await expireApprovals();
      await sendReminders();
    },
    'notifications',
  );

export const stopApprovalClock = () => stopPeriodicTask('approval clock');

/** Claims the requests due a reminder (once each, across instances) and sends them. Answers how many. */
export async function sendReminders(): Promise<number> {
  const due = await db().$queryRaw<{ id: string; user_id: string }[]>`
    WITH due AS (
      SELECT a.id FROM approval_requests a
        LEFT JOIN notification_settings s ON s.user_id = a.user_id
       WHERE a.status = 'PENDING' AND a.reminded_at IS NULL AND a.expires_at > now()
         AND a.expires_at <= now() + make_interval(mins => COALESCE((s.preferences->>'reminderMinutes')::int, ${DEFAULT_PREFERENCES.reminderMinutes}::int))
         AND COALESCE((s.preferences->>'reminderMinutes')::int, ${DEFAULT_PREFERENCES.reminderMinutes}::int) > 0
       ORDER BY a.expires_at
       LIMIT ${BATCH}
       FOR UPDATE OF a SKIP LOCKED)
    UPDATE approval_requests a SET reminded_at = now() FROM due WHERE a.id = due.id
    RETURNING a.id::text AS id, a.user_id::text AS user_id`;
  await Promise.all(
    due.map((row) => notifyApproval({ userId: row.user_id, approvalRequestId: row.id, kind: 'approval_expiring' }).catch((error) => log('notifications').error({ err: error }, 'reminder failed'))),
  );
  return due.length;
}

/** Marks the pending requests whose time ran out as EXPIRED, each with its audit row. Answers how many. */
export async function expireApprovals(): Promise<number> {
  return db().$transaction(async (tx) => {
    const expired = await tx.$queryRaw<{ id: string; user_id: string; agent_id: string; scopes: string[] }[]>`
      UPDATE approval_requests a SET status = 'EXPIRED'
        FROM (SELECT id FROM approval_requests WHERE status = 'PENDING' AND expires_at <= now() ORDER BY expires_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED) due
       WHERE a.id = due.id AND a.status = 'PENDING'
      RETURNING a.id::text AS id, a.user_id::text AS user_id, a.agent_id::text AS agent_id, a.scopes`;
    for (const row of expired) {
      await appendAuditEvent(tx, {
        action: 'elevation.expire',
        decision: 'DENY',
        reason: 'nobody decided before the request expired: the agent is told expired_token',
        userId: row.user_id,
        agentId: row.agent_id,
        scopes: row.scopes,
        ip: 'leash',
        details: { approval_request: row.id },
      });
    }
    return expired.length;
  });
}
