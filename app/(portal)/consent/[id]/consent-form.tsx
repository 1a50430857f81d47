'use client';

import { AgentAvatar } from '@/components/ui/agent-avatar';
import { useState } from 'react';
import { signOut } from 'next-auth/react';
import { Button, Spinner } from '@/components/ui/button';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { useHydrated } from '@/components/ui/use-hydrated';
import { TechnicalDetails } from '@/components/ui/technical-details';
import type { ConsentView } from '@/lib/consent/open-consent';
import { describeAudience } from '@/lib/words/plain-words';

const RISK_TONE = { low: 'success', medium: 'warning', high: 'danger' } as const;

export function ConsentForm({ view, consentToken, userEmail }: { view: ConsentView; consentToken: string; userEmail: string }) {
  const [chosen, setChosen] = useState<string[]>(view.scopes.map((s) => s.name));
  const [remember, setRemember] = useState(false);
  const [pending, setPending] = useState<'allow' | 'deny' | 'switch' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const hydrated = useHydrated();

  async function decide(decision: 'allow' | 'deny') {
    setPending(decision);
    setError(null);
    try {
      const response = await fetch(`/api/consent/${encodeURIComponent(view.requestId)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ decision, scopes: chosen, remember, consent_token: consentToken }),
      });
      const body = (await response.json().catch(() => ({}))) as { redirect_to?: string; message?: string };
      if (response.ok && body.redirect_to) {
        window.location.assign(body.redirect_to);
        return;
      }
      setError(body.message ?? 'Your answer could not be saved. Please try again.');
    } catch {
      setError('Leash could not be reached. Check your connection and try again.');
    }
    setPending(null);
  }

  // "Not you?": hand the request back, sign out, and come back here as whoever signs in next.
  async function switchAccount() {
    setPending('switch');
    setError(null);
    try {
      const response = await fetch(`/api/consent/${encodeURIComponent(view.requestId)}/switch-account`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ consent_token: consentToken }),
      });
      const body = (await response.json().catch(() => ({}))) as { sign_in?: string; message?: string };
      if (response.ok && body.sign_in) {
        await signOut({ redirect: false });
        window.location.assign(body.sign_in);
        return;
      }
      setError(body.message ?? 'Could not switch accounts. Please try again.');
    } catch {
      setError('Leash could not be reached. Check your connection and try again.');
    }
    setPending(null);
  }

  const links = [
    ['Website', view.agent.links.website],
    ['Privacy policy', view.agent.links.privacyPolicy],
    ['Terms of service', view.agent.links.terms],
  ].filter((link): link is [string, string] => link[1] !== null);

  return (
    <div className="rounded-2xl border border-line bg-surface p-6 shadow-sm sm:p-8">
      <div className="flex items-center gap-3">
        <AgentAvatar name={view.agent.name} logoUri={view.agent.logoUri} />
        <div className="min-w-0">
          <h1 className="truncate text-lg font-semibold tracking-tight" data-testid="agent-name">
            {view.agent.name}
          </h1>
          {view.agent.verifiedDomain ? <Badge tone="success">Verified · {view.agent.verifiedDomain}</Badge> : <Badge tone="warning">Self-registered · identity not verified</Badge>}
        </div>
      </div>

      {links.length ? (
        <div className="mt-4 text-sm" data-testid="agent-links">
          <p className="text-xs text-muted">Provided by the agent, not checked by Leash:</p>
          <ul aria-label={`Links provided by ${view.agent.name}`} className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
            {links.map(([label, href]) => (
              <li key={label}>
                <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="font-medium text-accent hover:underline">
                  {label}
                </a>{' '}
                <span className="text-xs text-muted">({new URL(href).host})</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <p className="mt-5 text-sm leading-6 text-fg">
        wants to act for <span className="break-all font-medium">{userEmail}</span> with these permissions:
      </p>
      <p className="text-sm text-muted">
        Not you?{' '}
        <button type="button" onClick={switchAccount} disabled={!hydrated || pending !== null} className="font-medium text-accent hover:underline disabled:opacity-60">
          Switch account
        </button>
      </p>

      {error ? (
        <div className="mt-4">
          <Alert tone="danger">{error}</Alert>
        </div>
      ) : null}

      {/* Also in the DOM for scripted clients and tests; the form itself posts with fetch. */}
      <input type="hidden" name="consent_token" value={consentToken} />
      <fieldset className="mt-3 divide-y divide-line rounded-xl border border-line">
        <legend className="sr-only">Permissions</legend>
        {view.scopes.map((scope) => (
          <label key={scope.name} className="flex cursor-pointer items-start gap-3 px-4 py-3">
            <input
              type="checkbox"
              name="scope"
              value={scope.name}
              checked={chosen.includes(scope.name)}
              disabled={!hydrated}
              onChange={(e) => setChosen((c) => (e.target.checked ? [...c, scope.name] : c.filter((s) => s !== scope.name)))}
              className="mt-1 h-4 w-4 accent-[var(--accent)]"
            />
            <span className="min-w-0 flex-1">
              <span className="flex flex-wrap items-center gap-2 text-sm font-medium">
                {scope.description}
                <Badge tone={RISK_TONE[scope.risk]}>{scope.risk} risk</Badge>
              </span>
            </span>
          </label>
        ))}
      </fieldset>

      {view.authorizationDetails.length ? (
        <div className="mt-4 rounded-xl border border-warning/30 bg-warning-soft px-4 py-3">
          <p className="text-xs font-semibold uppercase tracking-wide text-warning">Specific actions</p>
          <ul className="mt-1 list-disc pl-5 text-sm text-fg">
            {view.authorizationDetails.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </div>
      ) : null}

      <dl className="mt-4 space-y-2 text-sm">
        <div className="flex justify-between gap-4">
          <dt className="text-muted">Works with</dt>
          <dd className="text-right first-letter:uppercase">{[...new Set(view.audience.map((r, i) => view.audienceNames[i] ?? describeAudience(r)))].join('; ')}</dd>
        </div>
        <div className="flex justify-between gap-4">
          <dt className="text-muted">Access lasts</dt>
          <dd className="text-right">
            {view.accessTokenMinutes} minutes at a time
            {view.refreshDays ? `, renewable for up to ${view.refreshDays} days` : ', not renewable'}
          </dd>
        </div>
        <div className="flex justify-between gap-4">
          <dt className="text-muted">Then sends you to</dt>
          <dd className="text-right font-mono text-xs" data-testid="redirect-host">
            {view.redirectHost}
          </dd>
        </div>
      </dl>
      {view.redirectIsLocal ? (
        <div className="mt-3">
          <Alert tone="warning">This agent runs on a computer (localhost). Continue only if you started it yourself.</Alert>
        </div>
      ) : null}
      {view.redirectScheme ? (
        <div className="mt-3">
          {/* RFC 8252 §8.4: any app on the device may claim a private-use scheme. */}
          <Alert tone="warning">
            The code goes to the app on this device that opens <span className="font-mono">{view.redirectScheme}://</span> links ({view.agent.name}). Another app could claim the same links: continue
            only if you started {view.agent.name} yourself.
          </Alert>
        </div>
      ) : null}

      <label className="mt-5 flex cursor-pointer items-center gap-2 text-sm">
        <input type="checkbox" checked={remember} disabled={!hydrated} onChange={(e) => setRemember(e.target.checked)} className="h-4 w-4 accent-[var(--accent)]" />
        Remember this decision for {view.agent.name}
      </label>

      <div className="mt-6 grid grid-cols-2 gap-3">
        <Button variant="secondary" onClick={() => decide('deny')} disabled={!hydrated || pending !== null}>
          {pending === 'deny' ? <Spinner /> : null}
          Deny
        </Button>
        <Button onClick={() => decide('allow')} disabled={!hydrated || pending !== null || chosen.length === 0}>
          {pending === 'allow' ? <Spinner /> : null}
          Allow
        </Button>
      </div>
      <p className="mt-4 text-center text-xs text-muted">You can revoke this access at any time from your Leash dashboard.</p>
      <TechnicalDetails className="mt-3">
        <p>client_id {view.agent.clientId}</p>
        <p>scope {view.scopes.map((s) => s.name).join(' ')}</p>
        <p>resource {view.audience.join(' ')}</p>
      </TechnicalDetails>
    </div>
  );
}
