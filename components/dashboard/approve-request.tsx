'use client';

// The review page's decision: the second factor is asked for this one request and completes it in
// one go (a code from the authenticator app, a recovery code, or a passkey whose challenge carries
// the request's digest). Deny needs no factor. A person without a second factor is told at once,
// with the time left, and can set one up in another tab without losing the request.
import Link from 'next/link';
import { useState } from 'react';
import { startAuthentication } from '@simplewebauthn/browser';
import { ApprovalSummary, remaining } from '@/components/dashboard/approval-summary';
import { useNow } from '@/components/dashboard/use-live-updates';
import { Alert } from '@/components/ui/alert';
import { Button, Spinner } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useHydrated } from '@/components/ui/use-hydrated';
import type { ApprovalForReview } from '@/lib/approvals/list-pending-approvals';

type Done = { tone: 'success' | 'danger'; text: string };

async function post(path: string, body?: unknown): Promise<{ ok: boolean; body: { message?: string; error?: string } | null }> {
  const response = await fetch(path, {
    method: 'POST',
    ...(body ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {}),
  }).catch(() => null);
  return { ok: !!response?.ok, body: (await response?.json().catch(() => null)) ?? null };
}

export function ApproveRequest({ approval, factors }: { approval: ApprovalForReview; factors: { totp: boolean; passkey: boolean } }) {
  const hydrated = useHydrated();
  const now = useNow();
  const [code, setCode] = useState('');
  const [pending, setPending] = useState<'code' | 'passkey' | 'deny' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Done | null>(null);
  const expired = approval.status === 'EXPIRED' || new Date(approval.expiresAt).getTime() <= now;
  const url = `/api/account/approvals/${approval.id}`;

  const finish = (result: { ok: boolean; body: { message?: string } | null }, approve: boolean) => {
    if (result.ok) {
      setDone(approve ? { tone: 'success', text: 'Approved. The agent gets its elevated access on its next poll.' } : { tone: 'success', text: 'Denied. The agent was told no.' });
    } else {
      setError(result.body?.message ?? 'The server could not be reached. Please try again.');
    }
    setPending(null);
  };

  if (done || approval.status !== 'PENDING' || expired) {
    const text =
      done?.text ?? (approval.status === 'APPROVED' ? 'You approved this request.' : approval.status === 'DENIED' ? 'You denied this request.' : 'This request has expired: the agent must ask again.');
    return (
      <div className="space-y-4">
        <Alert tone={done?.tone ?? 'info'}>{text}</Alert>
        <Link href="/approvals" className="text-sm font-medium text-accent hover:underline">
          Back to Approvals
        </Link>
      </div>
    );
  }

  return (
    <div className="space-y-4">
      <TimeLeft createdAt={approval.createdAt} expiresAt={approval.expiresAt} now={now} />
      <section aria-label="What you are approving" className="space-y-3 rounded-2xl border border-line bg-surface p-4 sm:p-5">
        <ApprovalSummary approval={approval} now={now} />
      </section>
      <section aria-label="Confirm it is you" className="space-y-4 rounded-2xl border border-line bg-surface p-4 sm:p-5">
        {error ? <Alert tone="danger">{error}</Alert> : null}
        {factors.totp || factors.passkey ? (
          <>
            <p className="text-sm">
              Approving needs your second factor, for this request only. {approval.details.length ? <span className="font-semibold">It confirms exactly: {approval.details.join('; ')}.</span> : null}
            </p>
            {factors.passkey ? (
              <Button
                className="w-full"
                disabled={!hydrated || pending !== null}
                onClick={async () => {
                  setPending('passkey');
                  setError(null);
                  try {
                    const options = await post(`${url}/passkey-options`);
                    if (!options.ok) throw new Error(options.body?.message ?? 'No passkey available.');
                    const response = await startAuthentication({ optionsJSON: options.body as never });
                    finish(await post(`${url}/approve`, { passkey: response }), true);
                  } catch (e) {
                    setError(e instanceof Error && e.name === 'NotAllowedError' ? 'The passkey prompt was cancelled.' : (e as Error).message);
                    setPending(null);
                  }
                }}
              >
                {pending === 'passkey' ? <Spinner /> : null}
                Approve with a passkey
              </Button>
            ) : null}
            {factors.totp ? (
              <form
                className="space-y-3"
                onSubmit={async (event) => {
                  event.preventDefault();
                  setPending('code');
                  setError(null);
                  finish(await post(`${url}/approve`, { code }), true);
                }}
              >
                <TextField
                  id="approval-code"
                  label="Code from your authenticator app"
                  hint="Or one of your recovery codes."
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                  required
                />
                <Button type="submit" className="w-full" disabled={!hydrated || pending !== null}>
                  {pending === 'code' ? <Spinner /> : null}
                  Approve
                </Button>
              </form>
            ) : null}
          </>
        ) : (
          <Alert tone="warning">
            Approving needs a second factor, and your account has none yet. Set up an authenticator app in{' '}
            <a href="/settings" target="_blank" rel="noopener" className="font-medium underline">
              Settings (opens in a new tab)
            </a>
            ; it takes a minute. Then reload this page: the request stays here for {remaining(new Date(approval.expiresAt).getTime() - now)}.
          </Alert>
        )}
        <Button
          variant="secondary"
          className="w-full"
          disabled={!hydrated || pending !== null}
          onClick={async () => {
            setPending('deny');
            setError(null);
            finish(await post(`${url}/deny`), false);
          }}
        >
          {pending === 'deny' ? <Spinner /> : null}
          Deny
        </Button>
      </section>
    </div>
  );
}

/** The time left to decide, as a countdown and a bar that empties (CIBA: the request's expires_in). */
function TimeLeft({ createdAt, expiresAt, now }: { createdAt: string; expiresAt: string; now: number }) {
  const end = new Date(expiresAt).getTime();
  const total = Math.max(1, end - new Date(createdAt).getTime());
  const left = Math.max(0, end - now);
  const urgent = left < 60_000;
  return (
    <div role="timer" aria-label="Time left to decide" className="rounded-2xl border border-line bg-surface px-4 py-3 sm:px-5">
      <div className="flex items-baseline justify-between gap-3 text-sm">
        <span className="text-muted">Time left to decide</span>
        <span className={`text-lg font-semibold tabular-nums ${urgent ? 'text-danger' : 'text-fg'}`} suppressHydrationWarning>
          {remaining(left)}
        </span>
      </div>
      <div className="mt-2 h-1.5 overflow-hidden rounded-full bg-subtle" aria-hidden>
        <div className={`h-full rounded-full ${urgent ? 'bg-danger' : 'bg-accent'}`} style={{ width: `${Math.round((left / total) * 100)}%` }} suppressHydrationWarning />
      </div>
      <p className="mt-1.5 text-xs text-muted">After that the agent is told the request expired and must ask again.</p>
    </div>
  );
}
