// /step-up: prove a second factor so this session reaches multi-factor assurance (RFC 9470 step-up,
// `urn:leash:acr:mfa`), then continue where the request came from.
import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/session';
import { db } from '@/lib/db/client';
import { safeCallbackPath } from '@/components/auth/safe-callback';
import { PasskeyStepUp, StepUpForm } from './step-up-form';

export const metadata: Metadata = { title: 'Confirm it is you' };

export default async function StepUpPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; reauth?: string }> }) {
  const query = await searchParams;
  const next = safeCallbackPath(query.callbackUrl);
  const user = await getCurrentUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/step-up?callbackUrl=${encodeURIComponent(next)}`)}`);
  if (query.reauth) {
    return (
      <div className="rounded-2xl border border-line bg-surface p-6 shadow-sm sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight">Confirm your password</h1>
        <p className="mt-2 text-sm leading-6 text-muted">The application asks for a recent sign-in. Type your password again to continue as {user.email}.</p>
        <StepUpForm next={next} mode="password" />
      </div>
    );
  }
  const { totpEnabledAt, _count } = await db().user.findUniqueOrThrow({ where: { id: user.id }, select: { totpEnabledAt: true, _count: { select: { passkeys: true } } } });
  const hasPasskey = _count.passkeys > 0;
  return (
    <div className="rounded-2xl border border-line bg-surface p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">Confirm it is you</h1>
      {totpEnabledAt || hasPasskey ? (
        <>
          <p className="mt-2 text-sm leading-6 text-muted">This needs a second factor.</p>
          {hasPasskey ? <PasskeyStepUp next={next} /> : null}
          {totpEnabledAt ? (
            <>
              <p className="mt-6 text-sm text-muted">Type the code from your authenticator app, or one of your recovery codes.</p>
              <StepUpForm next={next} mode="code" />
            </>
          ) : null}
        </>
      ) : (
        <>
          <p className="mt-2 text-sm leading-6 text-muted">This needs a second factor, and your account has none yet. Set up an authenticator app in Settings, then come back to this request.</p>
          <Link href="/settings" className="mt-4 inline-block text-sm font-medium text-accent hover:underline">
            Go to Settings
          </Link>
        </>
      )}
    </div>
  );
}
