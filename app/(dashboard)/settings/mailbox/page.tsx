// /settings/mailbox (administrators): the mail Leash would have sent, kept because no SMTP server
// is configured (LEASH_SMTP_URL unset), newest first. A development aid: with SMTP configured it
// stays empty.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/ui/page-header';
import { DateTime } from '@/components/ui/date-time';
import { EmptyState } from '@/components/ui/empty-state';
import { requireUser } from '@/lib/auth/session';
import { listDevMail } from '@/lib/notifications/list-dev-mail';

export const metadata: Metadata = { title: 'Dev mailbox' };

export default async function MailboxPage() {
  const user = await requireUser();
  if (user.role !== 'ADMIN') notFound();
  const mail = await listDevMail();
  return (
    <>
      <PageHeader title="Dev mailbox" description="Mail Leash kept instead of sending, because no SMTP server is configured (set LEASH_SMTP_URL to send it)." />
      {mail.length ? (
        <ul aria-label="Kept mail" className="space-y-3">
          {mail.map((m) => (
            <li key={m.id} aria-label={m.subject} className="rounded-2xl border border-line bg-surface p-4 sm:p-5">
              <p className="font-medium break-words">{m.subject}</p>
              <p className="mt-0.5 text-xs text-muted">
                to {m.to} · <DateTime value={m.createdAt} timeZone={user.timeZone} />
              </p>
              <pre className="mt-3 text-sm whitespace-pre-wrap break-words font-sans">{m.text}</pre>
            </li>
          ))}
        </ul>
      ) : (
        <EmptyState icon={<span aria-hidden>✉</span>} title="No mail yet">
          Approval requests and test messages sent by email appear here.
        </EmptyState>
      )}
    </>
  );
}
