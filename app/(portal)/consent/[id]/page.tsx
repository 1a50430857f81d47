// The consent screen: who is asking, for what, where the browser goes next. Everything the agent
// supplied (name, logo, URIs) is rendered as text or an <img> by React, never as markup.
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { headers } from 'next/headers';
import { getCurrentUser } from '@/lib/auth/session';
import { openConsent } from '@/lib/consent/open-consent';
import { clientIp } from '@/lib/http/client-ip';
import { ConsentForm } from './consent-form';

export const metadata: Metadata = { title: 'Allow access?' };

export default async function ConsentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await getCurrentUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/consent/${id}`)}`);
  const outcome = await openConsent({ id, userId: user.id, sessionId: user.sessionId, sessionAcr: user.acr, sessionAuthTime: user.authTime, ip: clientIp(await headers()) });
  if (outcome.kind === 'redirect') redirect(outcome.to);
  if (outcome.kind === 'reauthenticate') redirect(`/step-up?reauth=1&callbackUrl=${encodeURIComponent(`/consent/${id}`)}`);
  if (outcome.kind === 'step_up') redirect(`/step-up?callbackUrl=${encodeURIComponent(`/consent/${id}`)}`);
  if (outcome.kind === 'missing') {
    return (
      <div role="alert" className="rounded-2xl border border-line bg-surface p-6 shadow-sm sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight">This request is no longer valid</h1>
        <p className="mt-2 text-sm leading-6 text-muted">It has expired, was already answered, or belongs to another account. Go back to the application and start again.</p>
      </div>
    );
  }
  return <ConsentForm view={outcome.view} consentToken={outcome.consentToken} userEmail={user.email} />;
}
