import type { Metadata } from 'next';
import { LiveAlerts } from '@/components/dashboard/live-alerts';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { listAlerts } from '@/lib/alerts/list-alerts';

export const metadata: Metadata = { title: 'Alerts' };

export default async function AlertsPage() {
  const user = await requireUser();
  const { alerts } = await listAlerts({ userId: user.id, status: 'open' });
  return (
    <>
      <PageHeader title="Alerts" description="Anything your agents did that looked wrong, as it happens." />
      <LiveAlerts initial={alerts} />
    </>
  );
}
