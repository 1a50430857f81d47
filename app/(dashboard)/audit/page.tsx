import type { Metadata } from 'next';
import { AuditIcon } from '@/components/icons';
import { Badge } from '@/components/ui/badge';
import { DataList, DataRow } from '@/components/ui/data-list';
import { DateTime } from '@/components/ui/date-time';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { listRecentAuditEvents } from '@/lib/audit/list-recent-audit-events';

export const metadata: Metadata = { title: 'Audit' };

const DECISION_TONE = { ALLOW: 'success', DENY: 'danger', STEP_UP: 'warning', APPROVAL: 'warning' } as const;

export default async function AuditPage() {
  const user = await requireUser();
  const events = await listRecentAuditEvents({ userId: user.id, role: user.role });
  return (
    <>
      <PageHeader
        title="Audit"
        description="A tamper-evident record of every decision about your agents: what they asked, and what Leash answered."
      />
      {events.length === 0 ? (
        <EmptyState icon={<AuditIcon className="h-6 w-6" />} title="No activity recorded yet">
          <p>
            Every authorization decision is written here as it happens: consents, token issuance, each API call an agent
            makes (allowed or denied, and why), policy changes, revocations and approvals.
          </p>
          <p>Records are hash-chained so that any later change is detectable, and you can export them.</p>
        </EmptyState>
      ) : (
        <DataList label="Audit events">
          {events.map((event) => (
            <DataRow key={event.id.toString()}>
              <div className="min-w-0">
                <p className="flex items-center gap-2 font-medium">
                  <span className="font-mono text-sm">{event.action}</span>
                  <Badge tone={DECISION_TONE[event.decision]}>{event.decision.toLowerCase().replace('_', '-')}</Badge>
                </p>
                <p className="mt-0.5 truncate text-sm text-muted">
                  {[event.agentName, event.resource, event.reason].filter(Boolean).join(' · ')}
                </p>
              </div>
              <p className="text-sm text-muted">
                <DateTime value={event.createdAt} timeZone={user.timeZone} />
              </p>
            </DataRow>
          ))}
        </DataList>
      )}
    </>
  );
}
