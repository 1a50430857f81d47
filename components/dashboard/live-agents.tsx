'use client';

// The Agents screen, live: an agent the user just connected (in another tab, or through an MCP
// client's browser window) appears without a reload, and status changes (kill switch, resume)
// show at once. The same events as the Tokens screen feed it (useLiveUpdates).
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { AgentIcon } from '@/components/icons';
import { ActivityChart, Sparkline } from '@/components/dashboard/activity-chart';
import { useLiveUpdates } from '@/components/dashboard/use-live-updates';
import { AgentAvatar } from '@/components/ui/agent-avatar';
import { AgentMark } from '@/components/ui/agent-mark';
import { Badge } from '@/components/ui/badge';
import { DataList, DataRow } from '@/components/ui/data-list';
import { EmptyState } from '@/components/ui/empty-state';
import type { ConnectedAgent } from '@/lib/agents/list-connected-agents';
import { sumDailyActivity } from '@/lib/agents/daily-series';
import { ConnectFirstAgent } from '@/components/dashboard/connect-first-agent';
import { describeScopes } from '@/lib/words/plain-words';

export const AGENTS_KEY = ['agents'] as const;

function when(iso: string, timeZone: string) {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
}

export function LiveAgents({ initial, timeZone, mcpUrl }: { initial: ConnectedAgent[]; timeZone: string; mcpUrl: string }) {
  const { data: agents } = useQuery({
    queryKey: AGENTS_KEY,
    queryFn: async (): Promise<ConnectedAgent[]> => {
      const response = await fetch('/api/account/agents', { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.json()).agents;
    },
    initialData: initial,
  });
  useLiveUpdates({ agents: AGENTS_KEY, tokens: AGENTS_KEY });
  if (agents.length === 0) {
    return (
      <EmptyState icon={<AgentIcon className="h-6 w-6" />} title="No agents connected yet">
        <p>Every agent you allow appears here with what it may do, whether it is active, and what it did recently.</p>
        <ConnectFirstAgent mcpUrl={mcpUrl} />
      </EmptyState>
    );
  }
  const overall = sumDailyActivity(agents.map((a) => a.activity));
  return (
    <div className="space-y-6">
      <section className="rounded-2xl border border-line bg-surface p-4 sm:p-5">
        <ActivityChart series={overall} label="All agents, last 14 days" />
      </section>
      <DataList label="Connected agents">
        {agents.map((agent) => {
          const suspended = agent.suspended || agent.status !== 'ACTIVE';
          return (
            <DataRow key={agent.id}>
              <div className="flex min-w-0 items-start gap-3">
                <AgentAvatar name={agent.name} logoUri={agent.logoUri} size="sm" />
                <div className="min-w-0">
                  <p className="flex flex-wrap items-center gap-2 font-medium">
                    <Link href={`/agents/${agent.id}`} className="hover:underline">
                      {agent.name}
                    </Link>
                    {agent.registration === 'CIMD' && agent.verifiedDomain ? <Badge tone="success">Verified · {agent.verifiedDomain}</Badge> : <Badge>Self-registered</Badge>}
                    {agent.delegatedOnly ? <Badge tone="warning">Acts for another agent</Badge> : null}
                  </p>
                  <p className="mt-0.5">
                    <AgentMark clientId={agent.clientId} verifiedDomain={agent.verifiedDomain} />
                  </p>
                  <p className="mt-0.5 line-clamp-2 text-sm text-muted">{describeScopes(agent.scopes).join(', ') || 'No permissions granted'}</p>
                  <p className="mt-0.5 text-xs text-muted">{agent.lastUsedAt ? `Last used ${when(agent.lastUsedAt, timeZone)}` : 'Never used'}</p>
                </div>
              </div>
              <div className="flex items-center gap-3 text-sm text-muted">
                <Sparkline series={agent.activity} label={`Calls by ${agent.name}`} />
                <span className="whitespace-nowrap">
                  {agent.activeTokens} active token{agent.activeTokens === 1 ? '' : 's'}
                </span>
                <Badge tone={suspended ? 'danger' : 'success'}>{suspended ? 'Suspended' : 'Active'}</Badge>
              </div>
            </DataRow>
          );
        })}
      </DataList>
    </div>
  );
}
