// Setting a new password with a one-time link an administrator made (lib/auth/issue-password-reset.ts).
// The secret is in the link's fragment, which only the page's script reads.
import type { Metadata } from 'next';
import { ResetPasswordForm } from './reset-password-form';

export const metadata: Metadata = { title: 'Choose a new password' };

export default function ResetPasswordPage() {
  return (
    <div className="rounded-2xl border border-line bg-surface p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">Choose a new password</h1>
      <ResetPasswordForm />
    </div>
  );
}
