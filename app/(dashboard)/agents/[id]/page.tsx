import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ActivityChart } from '@/components/dashboard/activity-chart';
import { AgentControls, NarrowScopes } from '@/components/dashboard/agent-controls';
import { AgentAvatar } from '@/components/ui/agent-avatar';
import { Badge } from '@/components/ui/badge';
import { DateTime } from '@/components/ui/date-time';
import { registeredWords } from '@/lib/protected-resources/registry';
import { requireUser } from '@/lib/auth/session';
import { getAgentDetail } from '@/lib/agents/get-agent-detail';
import { buttonClasses } from '@/components/ui/button';
import { TechnicalDetails } from '@/components/ui/technical-details';
import { describeAction, describeAudience, describeDecision, describeReason, describeScope, describeScopes } from '@/lib/words/plain-words';
import { ApiKeysManager } from '@/components/dashboard/api-keys-manager';
import { listApiKeys } from '@/lib/api-keys/list-api-keys';
import { SUPPORTED_SCOPES } from '@/lib/scopes/scopes';

export const metadata: Metadata = { title: 'Agent' };

const GRANT_STATUS: Record<string, string> = { ACTIVE: 'active', SUSPENDED: 'stopped', REVOKED: 'revoked' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Section({ title, children, actions }: { title: string; children: React.ReactNode; actions?: React.ReactNode }) {
  return (
    <section aria-label={title} className="rounded-2xl border border-line bg-surface p-4 sm:p-5">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 className="font-semibold text-fg">{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export default async function AgentPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const detail = UUID.test(id) ? await getAgentDetail({ userId: user.id, agentId: id }) : null;
  const words = await registeredWords();
  if (!detail) notFound();
  const { agent } = detail;
  // A key's permissions: what the policy's ceiling allows of Leash's own scopes, and the registered APIs' scopes (never offline_access).
  const hasGrant = detail.grants.length > 0;
  const keyScopes = [...SUPPORTED_SCOPES.filter((s) => detail.policy.document.scopeCeiling.includes(s)), ...Object.keys(words.scopes)].filter((s) => s !== 'offline_access');
  const apiKeys = detail.connected && hasGrant ? (await listApiKeys({ userId: user.id, agentId: agent.id })).keys : [];
  const status = !detail.connected ? 'Disconnected' : detail.suspended || agent.status !== 'ACTIVE' ? 'Suspended' : 'Active';
  return (
    <div className="space-y-5">
      <nav className="text-sm text-muted">
        <Link href="/agents" className="hover:text-fg">
          Agents
        </Link>{' '}
        / <span className="text-fg">{agent.name}</span>
      </nav>
      <header className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 items-center gap-3">
          <AgentAvatar name={agent.name} logoUri={agent.logoUri} />
          <div className="min-w-0">
            <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold tracking-tight text-fg">
              {agent.name}
              <Badge tone={status === 'Active' ? 'success' : 'danger'}>{status}</Badge>
            </h1>
            <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-muted">
              {agent.registration === 'CIMD' && agent.verifiedDomain ? <Badge tone="success">Verified · {agent.verifiedDomain}</Badge> : <Badge>Self-registered</Badge>}
              <span className="text-xs">
                Registered <DateTime value={agent.createdAt} timeZone={user.timeZone} />
              </span>
            </p>
            <TechnicalDetails className="mt-1">
              <p className="break-all">client_id {agent.clientId}</p>
              <p>registration {agent.registration}</p>
            </TechnicalDetails>
          </div>
        </div>
        <AgentControls agentId={agent.id} name={agent.name} suspended={detail.suspended} connected={detail.connected} />
      </header>

      <Section title="Activity">
        <ActivityChart series={detail.activity} label="Calls and refusals, last 14 days" />
      </Section>

      <div className="grid gap-5 lg:grid-cols-2">
        <Section title="Permissions granted vs used" actions={<NarrowScopes agentId={agent.id} unused={detail.scopes.unused} />}>
          {detail.scopes.granted.length === 0 ? (
            <p className="text-sm text-muted">No permissions granted.</p>
          ) : (
            <ul className="space-y-1.5 text-sm" aria-label="Granted permissions">
              {detail.scopes.granted.map((scope) => (
                <li key={scope} className="flex items-center justify-between gap-2">
                  <span>{describeScope(scope)}</span>
                  {scope === 'offline_access' ? <Badge>refresh</Badge> : detail.scopes.used.includes(scope) ? <Badge tone="success">used</Badge> : <Badge tone="warning">not used in 30 days</Badge>}
                </li>
              ))}
            </ul>
          )}
          {detail.scopes.granted.length ? (
            <TechnicalDetails className="mt-3">
              <p>scope {detail.scopes.granted.join(' ')}</p>
            </TechnicalDetails>
          ) : null}
        </Section>
        <Section
          title={`Policy ${detail.policy.version ? `v${detail.policy.version}` : '(defaults)'}`}
          actions={
            <Link href={`/agents/${agent.id}/policy`} className={buttonClasses('secondary', 'h-9 px-3')}>
              Edit policy
            </Link>
          }
        >
          <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
            <dt className="text-muted">At most</dt>
            <dd>{describeScopes(detail.policy.document.scopeCeiling).join(', ') || 'Nothing'}</dd>
            <dt className="text-muted">Rate limit</dt>
            <dd>
              {detail.policy.document.rateLimit.perMinute}/min, {detail.policy.document.rateLimit.perDay}/day
            </dd>
            <dt className="text-muted">Access lasts</dt>
            <dd>{Math.round(detail.policy.document.tokens.accessTokenSeconds / 60)} minutes</dd>
            <dt className="text-muted">Refresh</dt>
            <dd>{detail.policy.document.tokens.refreshAllowed ? `up to ${detail.policy.document.tokens.refreshDays} days` : 'not allowed'}</dd>
          </dl>
          <TechnicalDetails className="mt-3">
            <p>scope ceiling {detail.policy.document.scopeCeiling.join(' ')}</p>
          </TechnicalDetails>
        </Section>
      </div>

      {detail.connected && hasGrant ? (
        <Section title="API keys">
          <ApiKeysManager
            agentId={agent.id}
            agentName={agent.name}
            initial={apiKeys}
            scopeChoices={keyScopes.map((name) => ({ name, words: describeScope(name, words) }))}
            stopped={detail.suspended || agent.status !== 'ACTIVE'}
          />
        </Section>
      ) : null}

      <Section
        title="Active tokens"
        actions={
          <Link href="/tokens" className="text-sm text-accent hover:underline">
            Manage on the Tokens page →
          </Link>
        }
      >
        {detail.tokens.length === 0 ? (
          <p className="text-sm text-muted">{detail.suspended ? 'Suspended: it holds no tokens.' : 'No active tokens right now.'}</p>
        ) : (
          <ul className="divide-y divide-line text-sm" aria-label="Active tokens">
            {detail.tokens.map((token) => (
              <li key={token.id} className="flex flex-col gap-1 py-2 sm:flex-row sm:items-center sm:justify-between">
                <span className="flex min-w-0 flex-wrap items-center gap-2">
                  <Badge tone="accent">{token.kind === 'ACCESS' ? 'Access' : 'Refresh'}</Badge>
                  {token.jit ? <Badge tone="warning">Just-in-time</Badge> : null}
                  <span className="text-xs">
                    {describeScopes(token.scopes, words).join(', ')} · {[...new Set(token.audience.map((r) => describeAudience(r, words)))].join('; ')}
                  </span>
                </span>
                <span className="shrink-0 text-xs text-muted">
                  expires <DateTime value={token.expiresAt} timeZone={user.timeZone} /> ·{' '}
                  {token.lastUsedAt ? (
                    <>
                      last used <DateTime value={token.lastUsedAt} timeZone={user.timeZone} />
                      {token.lastUsedIp ? ` from ${token.lastUsedIp}` : ''}
                    </>
                  ) : (
                    'never used'
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title="Grants">
        <ul className="divide-y divide-line text-sm" aria-label="Grants">
          {detail.grants.map((grant) => (
            <li key={grant.id} className="flex flex-col gap-1 py-2 sm:flex-row sm:items-center sm:justify-between">
              <span className="text-xs">{describeScopes(grant.scopes).join(', ')}</span>
              <span className="flex items-center gap-2 text-xs text-muted">
                <DateTime value={grant.createdAt} timeZone={user.timeZone} />
                {grant.remembered ? <Badge>remembered</Badge> : null}
                <Badge tone={grant.status === 'ACTIVE' ? 'success' : 'danger'}>{GRANT_STATUS[grant.status] ?? grant.status}</Badge>
              </span>
            </li>
          ))}
        </ul>
      </Section>

      <Section
        title="Recent activity"
        actions={
          <Link href={`/audit?agent=${agent.id}`} className="text-sm text-accent hover:underline">
            Full audit log →
          </Link>
        }
      >
        {detail.recent.length === 0 ? (
          <p className="text-sm text-muted">No calls yet.</p>
        ) : (
          <ul className="divide-y divide-line text-sm" aria-label="Recent activity">
            {detail.recent.map((event) => (
              <li key={String(event.id)} className="flex flex-col gap-1 py-2 sm:flex-row sm:items-center sm:justify-between">
                <span className="flex min-w-0 items-center gap-2">
                  <Badge tone={event.decision === 'ALLOW' ? 'success' : event.decision === 'DENY' ? 'danger' : 'warning'}>{describeDecision(event.decision)}</Badge>
                  <span className="text-sm" title={event.action}>
                    {describeAction(event.action)}
                  </span>
                  <span className="truncate text-xs text-muted">{event.reason ? describeReason(event.reason) : null}</span>
                </span>
                <span className="shrink-0 text-xs text-muted">
                  <DateTime value={event.createdAt} timeZone={user.timeZone} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
