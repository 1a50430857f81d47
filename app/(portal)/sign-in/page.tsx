import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { Alert } from '@/components/ui/alert';
import { safeCallbackPath } from '@/components/auth/safe-callback';
import { getCurrentUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Sign in' };

type Props = { searchParams: Promise<{ callbackUrl?: string | string[]; error?: string | string[]; deleted?: string | string[] }> };

export default async function SignInPage({ searchParams }: Props) {
  const params = await searchParams;
  const callbackUrl = typeof params.callbackUrl === 'string' ? params.callbackUrl : null;
  if (await getCurrentUser()) redirect(safeCallbackPath(callbackUrl));
  return (
    <div className="rounded-2xl border border-line bg-surface p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">Sign in to Leash</h1>
      <p className="mb-6 mt-1 text-sm text-muted">See, limit and stop what your AI agents do.</p>
      {params.deleted === '1' ? (
        <div className="mb-5">
          <Alert tone="success">Your account is deleted and you are signed out. The audit log of what was done with it is kept, as the law requires.</Alert>
        </div>
      ) : null}
      <SignInForm callbackUrl={callbackUrl} initialError={typeof params.error === 'string' ? params.error : null} />
    </div>
  );
}
