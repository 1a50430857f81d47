import type { Metadata } from 'next';
import { ApprovalIcon } from '@/components/icons';
import { DataList, DataRow } from '@/components/ui/data-list';
import { DateTime } from '@/components/ui/date-time';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { listPendingApprovals } from '@/lib/approvals/list-pending-approvals';

export const metadata: Metadata = { title: 'Approvals' };

export default async function ApprovalsPage() {
  const user = await requireUser();
  const approvals = await listPendingApprovals({ userId: user.id });
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Risky actions your agents want to take, waiting for your yes or no."
      />
      {approvals.length === 0 ? (
        <EmptyState icon={<ApprovalIcon className="h-6 w-6" />} title="Nothing waiting for you">
          <p>
            When an agent needs to do something your policy marks as high-risk, such as paying an invoice or triggering
            a workflow, it asks here first: who is asking, exactly what, why, and for how long.
          </p>
          <p>You confirm with a second factor; approved access expires on its own within minutes.</p>
        </EmptyState>
      ) : (
        <DataList label="Pending approvals">
          {approvals.map((approval) => (
            <DataRow key={approval.id}>
              <div className="min-w-0">
                <p className="font-medium">{approval.agent.name}</p>
                <p className="mt-0.5 text-sm text-muted">
                  {approval.bindingMessage ?? approval.scopes.join(' ')}
                </p>
              </div>
              <p className="text-sm text-muted">
                Expires <DateTime value={approval.expiresAt} timeZone={user.timeZone} />
              </p>
            </DataRow>
          ))}
        </DataList>
      )}
    </>
  );
}
