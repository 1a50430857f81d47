// Deleting an account, at the person's request (GDPR Art. 17), while keeping the audit log, which
// the law requires us to keep (it is the record of what was authorised, and for whom) and which
// is append-only anyway (a trigger refuses UPDATE and DELETE on audit_events).
//
// So the account becomes a tombstone instead of disappearing: the `users` row stays, because audit
// rows name its id, but it no longer says who the person was (email replaced by one derived from
// the id, name removed, no password, no second factors) and its status DELETED lets nothing sign in
// or act for it. In one transaction with its audit record:
//   ended     every session; every API key and token (revoked, so an agent presenting one gets 401
//             invalid_token, on every instance: the cache triggers fire); every grant and
//             remembered consent; pending authorization requests, codes not yet exchanged and
//             approval requests; reset links; agents the person owned (suspended, secrets dropped)
//   deleted   the workspace (reports, invoices, payments, workflow runs), policies, alerts and
//             alert settings, authenticator app, recovery codes, passkeys, and the full texts of
//             stored agent intents (outside the chain; the log keeps their SHA-256)
//   kept      audit_events rows as they are (times, actions, decisions, reasons, addresses), naming
//             the account by its id only; revoked token records (hashes, no secrets)
// The Settings form (components/dashboard/account-forms.tsx) states the same lists before the
// person confirms; keep the two in step.
import 'server-only';
import { db } from '@/lib/db/client';
import { forgettingAfter } from '@/lib/cache/hot-cache';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { revokeTokens } from '@/lib/tokens/revoke-tokens';
import { revokeApiKeys } from '@/lib/api-keys/revoke-api-keys';

/** The email a deleted account keeps: unique (the column is), meaningless, undeliverable (RFC 2606). */
export const tombstoneEmail = (userId: string) => `deleted-${userId}@deleted.invalid`;

export async function deleteAccount(options: { userId: string; ip: string }): Promise<{ deleted: Record<string, number> }> {
  const { userId } = options;
  const now = new Date();
  return forgettingAfter(
    db().$transaction(async (tx) => {
      const keys = await revokeApiKeys(tx, { user: userId }, 'the user deleted their account');
      const revokedTokens = keys.tokens + (await revokeTokens(tx, { user: userId }, 'the user deleted their account'));
      const grants = await tx.grant.updateMany({
        where: { userId, status: { in: ['ACTIVE', 'SUSPENDED'] } },
        data: { status: 'REVOKED', revokedAt: now },
      });
      await tx.grant.updateMany({ where: { userId, remembered: true }, data: { remembered: false } });
      const ownedAgents = await tx.agent.updateMany({
        where: { ownerUserId: userId },
        data: { status: 'SUSPENDED', clientSecretHash: null, registrationAccessTokenHash: null },
      });
      const counts = {
        sessions: (await tx.userSession.deleteMany({ where: { userId } })).count,
        authorizationRequests: (await tx.authorizationRequest.deleteMany({ where: { userId } })).count,
        approvalRequests: (await tx.approvalRequest.deleteMany({ where: { userId } })).count,
        passwordResets: (await tx.passwordReset.deleteMany({ where: { userId } })).count,
        policies: (await tx.policy.deleteMany({ where: { userId } })).count,
        alerts: (await tx.alert.deleteMany({ where: { userId } })).count,
        alertSettings: (await tx.alertSettings.deleteMany({ where: { userId } })).count,
        reports: (await tx.report.deleteMany({ where: { userId } })).count,
        invoices: (await tx.invoice.deleteMany({ where: { userId } })).count,
        payments: (await tx.payment.deleteMany({ where: { userId } })).count,
        workflowRuns: (await tx.workflowRun.deleteMany({ where: { userId } })).count,
        recoveryCodes: (await tx.recoveryCode.deleteMany({ where: { userId } })).count,
        passkeys: (await tx.passkey.deleteMany({ where: { userId } })).count,
        intentTexts: (await tx.auditIntentText.deleteMany({ where: { event: { userId } } })).count,
        // Notifications (issue 17): the devices' push endpoints, the preferences, what was sent (it names the address).
        pushSubscriptions: (await tx.pushSubscription.deleteMany({ where: { userId } })).count,
        notificationSettings: (await tx.notificationSettings.deleteMany({ where: { userId } })).count,
        notificationDeliveries: (await tx.notificationDelivery.deleteMany({ where: { userId } })).count,
      };
      await tx.user.update({
        where: { id: userId },
        data: {
          email: tombstoneEmail(userId),
          name: null,
          // Not a PHC string: verification fails whatever is typed.
          passwordHash: '!deleted',
          role: 'USER',
          status: 'DELETED',
          deletedAt: now,
          lastSignInAt: null,
          totpSecretSealed: null,
          totpPendingSealed: null,
          totpEnabledAt: null,
          totpLastStep: null,
        },
      });
      const deleted = { ...counts, revokedTokens, revokedGrants: grants.count, suspendedOwnedAgents: ownedAgents.count, revokedApiKeys: keys.keys };
      await appendAuditEvent(tx, {
        action: 'account.delete',
        decision: 'ALLOW',
        reason: 'the user deleted their account; the audit log is kept',
        userId,
        ip: options.ip,
        details: deleted,
      });
      return { deleted };
    }),
  );
}
