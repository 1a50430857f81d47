import type { Metadata } from 'next';
import { LiveApprovals } from '@/components/dashboard/live-approvals';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { listApprovalHistory, listPendingApprovals } from '@/lib/approvals/list-pending-approvals';
import { db } from '@/lib/db/client';

export const metadata: Metadata = { title: 'Approvals' };

export default async function ApprovalsPage() {
  const user = await requireUser();
  const [approvals, history, factors] = await Promise.all([
    listPendingApprovals({ userId: user.id }),
    listApprovalHistory({ userId: user.id }),
    db().user.findUniqueOrThrow({ where: { id: user.id }, select: { totpEnabledAt: true, _count: { select: { passkeys: true } } } }),
  ]);
  return (
    <>
      <PageHeader title="Approvals" description="Risky actions your agents want to take, waiting for your yes or no." />
      <LiveApprovals initial={{ approvals, history }} hasSecondFactor={!!factors.totpEnabledAt || factors._count.passkeys > 0} />
    </>
  );
}
