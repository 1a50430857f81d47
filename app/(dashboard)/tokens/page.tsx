import type { Metadata } from 'next';
import { LiveTokens } from '@/components/dashboard/live-tokens';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { listLiveCredentials } from '@/lib/dashboard/list-live-credentials';
import { getConfig } from '@/lib/config/config';

export const metadata: Metadata = { title: 'Tokens' };

export default async function TokensPage() {
  const user = await requireUser();
  const initial = await listLiveCredentials({ userId: user.id });
  return (
    <>
      <PageHeader title="Tokens" description="Every credential your agents hold right now, live. Revoke one, or stop an agent entirely." />
      <LiveTokens initial={initial} timeZone={user.timeZone} mcpUrl={`${getConfig().issuer}/mcp`} />
    </>
  );
}
