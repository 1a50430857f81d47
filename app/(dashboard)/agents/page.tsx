import type { Metadata } from 'next';
import Link from 'next/link';
import { AgentIcon } from '@/components/icons';
import { ActivityChart, Sparkline } from '@/components/dashboard/activity-chart';
import { Badge } from '@/components/ui/badge';
import { DataList, DataRow } from '@/components/ui/data-list';
import { DateTime } from '@/components/ui/date-time';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { listConnectedAgents } from '@/lib/agents/list-connected-agents';

export const metadata: Metadata = { title: 'Agents' };

export default async function AgentsPage() {
  const user = await requireUser();
  const agents = await listConnectedAgents({ userId: user.id });
  const overall = agents[0]?.activity.map((day, i) => ({
    day: day.day,
    calls: agents.reduce((sum, a) => sum + (a.activity[i]?.calls ?? 0), 0),
    denials: agents.reduce((sum, a) => sum + (a.activity[i]?.denials ?? 0), 0),
  }));
  return (
    <>
      <PageHeader title="Agents" description="The AI agents you have connected to your account, what they may do, and whether they are active." />
      {agents.length === 0 ? (
        <EmptyState icon={<AgentIcon className="h-6 w-6" />} title="No agents connected yet">
          <p>
            When an AI agent (an MCP client such as Claude, a LangChain worker or a command-line bot) asks to act for you, Leash shows you a consent
            screen with exactly what it wants.
          </p>
          <p>Every agent you allow appears here with its scopes, status, active tokens and recent activity.</p>
        </EmptyState>
      ) : (
        <div className="space-y-6">
          {overall ? (
            <section className="rounded-2xl border border-line bg-surface p-4 sm:p-5">
              <ActivityChart series={overall} label="All agents, last 14 days" />
            </section>
          ) : null}
          <DataList label="Connected agents">
            {agents.map((agent) => (
              <DataRow key={agent.id}>
                <div className="min-w-0">
                  <p className="flex flex-wrap items-center gap-2 font-medium">
                    <Link href={`/agents/${agent.id}`} className="hover:underline">
                      {agent.name}
                    </Link>
                    {agent.registration === 'CIMD' && agent.verifiedDomain ? <Badge tone="success">Verified · {agent.verifiedDomain}</Badge> : <Badge>Self-registered</Badge>}
                  </p>
                  <p className="mt-0.5 truncate text-sm text-muted">{agent.scopes.join(' ') || 'No scopes granted'}</p>
                  <p className="mt-0.5 text-xs text-muted">
                    {agent.lastUsedAt ? (
                      <>
                        Last used <DateTime value={agent.lastUsedAt} timeZone={user.timeZone} />
                      </>
                    ) : (
                      'Never used'
                    )}
                  </p>
                </div>
                <div className="flex items-center gap-3 text-sm text-muted">
                  <Sparkline series={agent.activity} label={`Calls by ${agent.name}`} />
                  <span className="whitespace-nowrap">
                    {agent.activeTokens} active token{agent.activeTokens === 1 ? '' : 's'}
                  </span>
                  <Badge tone={agent.suspended || agent.status !== 'ACTIVE' ? 'danger' : 'success'}>{agent.suspended || agent.status !== 'ACTIVE' ? 'Suspended' : 'Active'}</Badge>
                </div>
              </DataRow>
            ))}
          </DataList>
        </div>
      )}
    </>
  );
}
