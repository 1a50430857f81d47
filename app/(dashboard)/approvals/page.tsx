import type { Metadata } from 'next';
import { LiveApprovals } from '@/components/dashboard/live-approvals';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { listPendingApprovals } from '@/lib/approvals/list-pending-approvals';

export const metadata: Metadata = { title: 'Approvals' };

export default async function ApprovalsPage() {
  const user = await requireUser();
  const approvals = await listPendingApprovals({ userId: user.id });
  return (
    <>
      <PageHeader title="Approvals" description="Risky actions your agents want to take, waiting for your yes or no." />
      <LiveApprovals initial={approvals} />
    </>
  );
}
