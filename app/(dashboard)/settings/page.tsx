import type { Metadata } from 'next';
import Link from 'next/link';
import { buttonClasses } from '@/components/ui/button';
import { DateTime } from '@/components/ui/date-time';
import { PageHeader } from '@/components/ui/page-header';
import { Badge } from '@/components/ui/badge';
import { requireUser } from '@/lib/auth/session';
import { listActiveSessions } from '@/lib/auth/list-active-sessions';
import { describeUserAgent } from '@/lib/auth/describe-user-agent';
import { RevokeOtherSessionsButton } from './revoke-other-sessions-button';
import { PrivacySettings, RegistrationSwitch } from '@/components/dashboard/settings-forms';
import { ChangePasswordForm, DeleteAccountForm, PasswordResetLinks } from '@/components/dashboard/account-forms';
import { TechnicalDetails } from '@/components/ui/technical-details';
import { TotpSettings } from '@/components/dashboard/totp-settings';
import { PasskeySettings } from '@/components/dashboard/passkey-settings';
import { AlertSettingsForm } from '@/components/dashboard/alert-settings-form';
import { NotificationSettingsForm } from '@/components/dashboard/notification-settings-form';
import { notificationSettingsOf } from '@/lib/endpoints/account/notifications';
import { getAlertSettings } from '@/lib/alerts/alert-settings';
import { db } from '@/lib/db/client';
import { registrationMode } from '@/lib/settings/deployment-settings';
import { getConfig } from '@/lib/config/config';
import { PASSWORD_RESET_TTL_MINUTES } from '@/lib/auth/issue-password-reset';
import { describeAssurance, describeMethods } from '@/lib/words/plain-words';

export const metadata: Metadata = { title: 'Settings' };

function Row({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1 px-5 py-3.5 sm:grid-cols-3 sm:gap-4">
      <dt className="text-sm text-muted">{term}</dt>
      <dd className="text-sm sm:col-span-2">{children}</dd>
    </div>
  );
}

export default async function SettingsPage() {
  const user = await requireUser();
  const sessions = await listActiveSessions({ userId: user.id });
  const others = sessions.filter((s) => s.id !== user.sessionId).length;
  const registration = user.role === 'ADMIN' ? await registrationMode() : null;
  const factors = await db().user.findUniqueOrThrow({
    where: { id: user.id },
    select: {
      totpEnabledAt: true,
      _count: { select: { recoveryCodes: { where: { usedAt: null } } } },
      passkeys: { select: { id: true, name: true, createdAt: true, lastUsedAt: true }, orderBy: { createdAt: 'asc' } },
    },
  });
  return (
    <>
      <PageHeader title="Settings" description="Your account, this session, and how you prove it is you." />
      <div className="space-y-8">
        <section aria-labelledby="account-heading">
          <h2 id="account-heading" className="mb-3 text-sm font-semibold">
            Account
          </h2>
          <dl className="divide-y divide-line rounded-2xl border border-line bg-surface">
            <Row term="Email">{user.email}</Row>
            <Row term="Name">{user.name ?? <span className="text-muted">Not set</span>}</Row>
            <Row term="Role">{user.role === 'ADMIN' ? 'Administrator' : 'Member'}</Row>
            <Row term="Time zone">{user.timeZone}</Row>
            <Row term="Member since">
              <DateTime value={user.createdAt} timeZone={user.timeZone} />
            </Row>
          </dl>
        </section>
        <section aria-labelledby="password-heading">
          <h2 id="password-heading" className="mb-3 text-sm font-semibold">
            Password
          </h2>
          <ChangePasswordForm />
        </section>
        <section aria-labelledby="privacy-heading">
          <h2 id="privacy-heading" className="mb-3 text-sm font-semibold">
            Privacy and time zone
          </h2>
          <PrivacySettings timeZone={user.timeZone} intentStorage={user.intentStorage} intentRetentionDays={user.intentRetentionDays} />
        </section>
        <section aria-labelledby="notifications-heading" id="notifications" className="scroll-mt-20">
          <h2 id="notifications-heading" className="mb-3 text-sm font-semibold">
            Notifications
          </h2>
          <NotificationSettingsForm initial={await notificationSettingsOf(user.id)} email={user.email} timeZone={user.timeZone} hasWebhook={!!(await getAlertSettings(user.id)).webhookUrl} />
          {user.role === 'ADMIN' && !getConfig().notifications.smtpUrl ? (
            <p className="mt-2 text-xs text-muted">
              No SMTP server is configured (LEASH_SMTP_URL), so mail is kept in the{' '}
              <Link href="/settings/mailbox" className="font-medium text-accent hover:underline">
                dev mailbox
              </Link>{' '}
              instead of being sent.
            </p>
          ) : null}
        </section>
        <section aria-labelledby="alerts-heading">
          <h2 id="alerts-heading" className="mb-3 text-sm font-semibold">
            Alerts
          </h2>
          <AlertSettingsForm initial={await getAlertSettings(user.id)} />
        </section>
        {registration ? (
          <section aria-labelledby="deployment-heading">
            <h2 id="deployment-heading" className="mb-3 text-sm font-semibold">
              Deployment (administrators)
            </h2>
            <div className="space-y-4">
              <PasswordResetLinks ttlMinutes={PASSWORD_RESET_TTL_MINUTES} />
              <RegistrationSwitch mode={registration} tokenAvailable={Boolean(getConfig().registration.token)} />
              <div className="flex flex-col gap-3 rounded-2xl border border-line bg-surface p-5 sm:flex-row sm:items-center sm:justify-between">
                <div>
                  <h3 className="text-sm font-medium">Protected APIs</h3>
                  <p className="mt-1 text-sm text-muted">Register your own APIs so agents can get tokens for them and they can check those tokens.</p>
                </div>
                <Link href="/settings/resources" className={buttonClasses('secondary', 'h-9 shrink-0 px-3')}>
                  Manage APIs
                </Link>
              </div>
            </div>
          </section>
        ) : null}
        <section aria-labelledby="session-heading">
          <h2 id="session-heading" className="mb-3 text-sm font-semibold">
            This session
          </h2>
          <dl className="divide-y divide-line rounded-2xl border border-line bg-surface">
            <Row term="Signed in">
              <DateTime value={user.authTime} timeZone={user.timeZone} />
            </Row>
            <Row term="Signed in with">
              <span className="block first-letter:uppercase">{describeAssurance(user.acr)}</span>
              <span className="block text-xs text-muted">Used: {describeMethods(user.amr) || 'nothing recorded'}</span>
              <TechnicalDetails className="mt-1">
                <p>acr {user.acr}</p>
                <p>amr {user.amr.join(' ') || '—'}</p>
              </TechnicalDetails>
            </Row>
          </dl>
        </section>
        <section aria-labelledby="sessions-heading">
          <h2 id="sessions-heading" className="mb-3 text-sm font-semibold">
            Signed-in sessions
          </h2>
          <ul aria-label="Signed-in sessions" className="mb-4 divide-y divide-line rounded-2xl border border-line bg-surface">
            {sessions.map((s) => (
              <li key={s.id} className="flex flex-col gap-1 px-5 py-3.5 sm:flex-row sm:items-center sm:justify-between">
                <p className="flex items-center gap-2 text-sm font-medium">
                  {describeUserAgent(s.userAgent)}
                  {s.id === user.sessionId ? <Badge tone="success">This session</Badge> : null}
                </p>
                <p className="text-sm text-muted">
                  {s.ip ?? 'unknown address'} · signed in <DateTime value={s.createdAt} timeZone={user.timeZone} />
                </p>
              </li>
            ))}
          </ul>
          <RevokeOtherSessionsButton count={others} />
        </section>
        <section aria-labelledby="factors-heading">
          <h2 id="factors-heading" className="mb-3 text-sm font-semibold">
            Second factors
          </h2>
          <div className="space-y-4">
            <TotpSettings enabledAt={factors.totpEnabledAt?.toISOString() ?? null} recoveryLeft={factors._count.recoveryCodes} />
            <PasskeySettings passkeys={factors.passkeys.map((p) => ({ id: p.id, name: p.name, createdAt: p.createdAt.toISOString(), lastUsedAt: p.lastUsedAt?.toISOString() ?? null }))} />
          </div>
        </section>
        <section aria-labelledby="delete-heading">
          <h2 id="delete-heading" className="mb-3 text-sm font-semibold">
            Delete account
          </h2>
          <DeleteAccountForm email={user.email} />
        </section>
      </div>
    </>
  );
}
