import type { Metadata } from 'next';
import { AgentIcon } from '@/components/icons';
import { Badge } from '@/components/ui/badge';
import { DataList, DataRow } from '@/components/ui/data-list';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { listConnectedAgents } from '@/lib/agents/list-connected-agents';

export const metadata: Metadata = { title: 'Agents' };

export default async function AgentsPage() {
  const user = await requireUser();
  const agents = await listConnectedAgents({ userId: user.id });
  return (
    <>
      <PageHeader
        title="Agents"
        description="The AI agents you have connected to your account, what they may do, and whether they are active."
      />
      {agents.length === 0 ? (
        <EmptyState icon={<AgentIcon className="h-6 w-6" />} title="No agents connected yet">
          <p>
            When an AI agent (an MCP client such as Claude, a LangChain worker or a command-line bot) asks to act for
            you, Leash shows you a consent screen with exactly what it wants.
          </p>
          <p>Every agent you allow appears here with its scopes, status, active tokens and recent activity.</p>
        </EmptyState>
      ) : (
        <DataList label="Connected agents">
          {agents.map((agent) => (
            <DataRow key={agent.id}>
              <div className="min-w-0">
                <p className="flex items-center gap-2 font-medium">
                  {agent.name}
                  {agent.registration === 'CIMD' && agent.verifiedDomain ? (
                    <Badge tone="success">Verified · {agent.verifiedDomain}</Badge>
                  ) : (
                    <Badge>Self-registered</Badge>
                  )}
                </p>
                <p className="mt-0.5 truncate text-sm text-muted">{agent.scopes.join(' ') || 'No scopes granted'}</p>
              </div>
              <div className="flex items-center gap-3 text-sm text-muted">
                <span>
                  {agent.activeTokens} active token{agent.activeTokens === 1 ? '' : 's'}
                </span>
                <Badge tone={agent.status === 'ACTIVE' ? 'success' : 'danger'}>
                  {agent.status === 'ACTIVE' ? 'Active' : 'Suspended'}
                </Badge>
              </div>
            </DataRow>
          ))}
        </DataList>
      )}
    </>
  );
}
