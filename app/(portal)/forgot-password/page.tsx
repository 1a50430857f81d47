// "Forgot your password?": until Leash can send mail, an administrator makes a one-time reset link
// (Settings → Deployment). On a development set-up the page names the demo account, the
// administrator there.
import type { Metadata } from 'next';
import Link from 'next/link';
import { findDevelopmentAdministrator } from '@/lib/auth/find-development-administrator';
import { PASSWORD_RESET_TTL_MINUTES } from '@/lib/auth/issue-password-reset';

export const metadata: Metadata = { title: 'Forgot your password?' };
export const dynamic = 'force-dynamic';

export default async function ForgotPasswordPage() {
  const developmentAdmin = await findDevelopmentAdministrator();
  return (
    <div className="rounded-2xl border border-line bg-surface p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">Forgot your password?</h1>
      <div className="mt-3 space-y-3 text-sm leading-6 text-fg">
        <p>
          Leash cannot send email yet, so an <span className="font-medium">administrator</span> of this Leash resets passwords. Ask yours for a reset link: it works once, for{' '}
          {PASSWORD_RESET_TTL_MINUTES} minutes, and lets you choose a new password. Every browser signed in to your account is then signed out.
        </p>
        {developmentAdmin ? (
          <p className="rounded-lg border border-accent/30 bg-accent-soft px-3.5 py-2.5" data-testid="development-admin">
            This is a development set-up: the administrator is the demo account, <span className="font-medium">{developmentAdmin}</span> (its password is in the README). Sign in with it, open
            Settings, and make the link under “Reset someone’s password”.
          </p>
        ) : null}
        <p className="text-muted">Your agents keep their access meanwhile; you can review it once you are back in.</p>
      </div>
      <p className="mt-6 text-center text-sm">
        <Link href="/sign-in" className="font-medium text-accent hover:underline">
          Back to sign in
        </Link>
      </p>
    </div>
  );
}
