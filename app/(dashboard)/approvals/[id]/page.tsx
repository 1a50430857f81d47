// /approvals/{id}: one request, reviewed and decided: who, exactly what, why, the time left, and the
// second factor asked for this request (the link notifications open; it never approves alone), and
// what was sent about it (email, push, webhook).
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { ApproveRequest } from '@/components/dashboard/approve-request';
import { PageHeader } from '@/components/ui/page-header';
import { ApprovalNotifications } from '@/components/dashboard/approval-notifications';
import { listApprovalNotifications } from '@/lib/notifications/list-approval-notifications';
import { requireUser } from '@/lib/auth/session';
import { getApprovalForReview } from '@/lib/approvals/list-pending-approvals';
import { db } from '@/lib/db/client';

export const metadata: Metadata = { title: 'Review a request' };

export default async function ReviewApprovalPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const approval = await getApprovalForReview({ userId: user.id, id });
  if (!approval) notFound();
  const { totpEnabledAt, _count } = await db().user.findUniqueOrThrow({ where: { id: user.id }, select: { totpEnabledAt: true, _count: { select: { passkeys: true } } } });
  return (
    <div className="mx-auto max-w-xl">
      <PageHeader title="Review a request" description="An agent asks for something your policy keeps for your approval. Nothing happens until you confirm." />
      <ApproveRequest approval={approval} factors={{ totp: !!totpEnabledAt, passkey: _count.passkeys > 0 }} />
      <div className="mt-4">
        <ApprovalNotifications items={await listApprovalNotifications({ userId: user.id, approvalRequestId: approval.id })} timeZone={user.timeZone} />
      </div>
    </div>
  );
}
