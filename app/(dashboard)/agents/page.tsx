import type { Metadata } from 'next';
import { LiveAgents } from '@/components/dashboard/live-agents';
import { OpenAlerts } from '@/components/dashboard/open-alerts';
import { listOpenAlerts } from '@/lib/alerts/list-alerts';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { listConnectedAgents } from '@/lib/agents/list-connected-agents';
import { getConfig } from '@/lib/config/config';

export const metadata: Metadata = { title: 'Agents' };

export default async function AgentsPage() {
  const user = await requireUser();
  const [agents, alerts] = await Promise.all([listConnectedAgents({ userId: user.id }), listOpenAlerts({ userId: user.id })]);
  return (
    <>
      <PageHeader title="Agents" description="The AI agents you have connected to your account, what they may do, and whether they are active." />
      <OpenAlerts alerts={alerts} />
      <LiveAgents initial={agents} timeZone={user.timeZone} mcpUrl={`${getConfig().issuer}/mcp`} />
    </>
  );
}
