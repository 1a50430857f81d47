// /device (RFC 8628 §3.3): the person types the code their device shows, then signs in (if needed)
// and sees the normal consent screen for that device's request.
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { headers } from 'next/headers';
import { getCurrentUser } from '@/lib/auth/session';
import { clientIp } from '@/lib/http/client-ip';
import { findDeviceRequest } from '@/lib/oauth/find-device-request';
import { Alert } from '@/components/ui/alert';
import { buttonClasses } from '@/components/ui/button';

export const metadata: Metadata = { title: 'Connect a device' };

export default async function DevicePage({ searchParams }: { searchParams: Promise<{ user_code?: string | string[] }> }) {
  const typed = (await searchParams).user_code;
  const code = typeof typed === 'string' ? typed : undefined;
  const user = await getCurrentUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(code ? `/device?user_code=${encodeURIComponent(code)}` : '/device')}`);
  let problem: string | null = null;
  if (code !== undefined) {
    const found = await findDeviceRequest({ typed: code, userId: user.id, ip: clientIp(await headers()) });
    if (found.kind === 'found') redirect(`/consent/${found.requestId}`);
    problem =
      found.kind === 'blocked'
        ? `Too many wrong codes. Try again in ${Math.ceil(found.retryAfterSeconds / 60)} minutes.`
        : 'That code is not valid, or it has expired. Check the code on your device and type it again.';
  }
  return (
    <div className="rounded-2xl border border-line bg-surface p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">Connect a device</h1>
      <p className="mt-2 text-sm leading-6 text-muted">Type the code your device or command-line agent shows. You will see exactly what it asks for before anything is allowed.</p>
      <form method="get" action="/device" className="mt-6 space-y-4">
        {problem ? <Alert tone="danger">{problem}</Alert> : null}
        <div className="space-y-1.5">
          <label htmlFor="user_code" className="block text-sm font-medium">
            Code
          </label>
          <input
            id="user_code"
            name="user_code"
            defaultValue={code ?? ''}
            autoComplete="one-time-code"
            autoCapitalize="characters"
            spellCheck={false}
            placeholder="BCDF-GHJK"
            required
            className="block h-12 w-full rounded-lg border border-line-strong bg-surface px-3 text-center font-mono text-xl tracking-[0.2em] uppercase shadow-sm outline-none focus:border-accent focus:ring-2 focus:ring-accent/25"
          />
        </div>
        <button type="submit" className={buttonClasses('primary', 'w-full')}>
          Continue
        </button>
      </form>
      <p className="mt-4 text-xs text-muted">Signed in as {user.email}.</p>
    </div>
  );
}
