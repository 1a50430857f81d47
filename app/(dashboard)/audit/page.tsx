import type { Metadata } from 'next';
import { agentMarkText } from '@/components/ui/agent-mark';
import { AuditBrowser, type AuditFilterValues } from '@/components/dashboard/audit-browser';
import { Alert } from '@/components/ui/alert';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { auditFilterSchema, searchAuditEvents } from '@/lib/dashboard/search-audit-events';
import { db } from '@/lib/db/client';

export const metadata: Metadata = { title: 'Audit' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const raw = Object.fromEntries(Object.entries(await searchParams).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '' && e[0] !== 'before'));
  const parsed = auditFilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : {};
  const [initial, agents] = await Promise.all([
    searchAuditEvents(filter, { userId: user.id, role: user.role }),
    db().agent.findMany({
      where: user.role === 'ADMIN' ? {} : { OR: [{ ownerUserId: user.id }, { grants: { some: { userId: user.id } } }, { tokens: { some: { userId: user.id } } }] },
      select: { id: true, name: true, clientId: true, verifiedDomain: true },
      orderBy: { name: 'asc' },
      take: 500,
    }),
  ]);
  const { before: _cursor, ...values }: AuditFilterValues & { before?: bigint } = parsed.success ? parsed.data : {};
  return (
    <>
      <PageHeader
        title="Audit"
        description={
          user.role === 'ADMIN'
            ? 'Every decision Leash made, for every user (you are an administrator).'
            : 'A tamper-evident record of every decision about your agents: what they asked, and what Leash answered.'
        }
      />
      {parsed.success ? null : (
        <div className="mb-4">
          <Alert tone="warning">Some filters in the address were not valid and were ignored.</Alert>
        </div>
      )}
      <AuditBrowser
        key={JSON.stringify(values)}
        filter={values}
        initial={{ events: initial.events, next_before: initial.nextBefore }}
        agents={agents.map((a) => ({ id: a.id, name: `${a.name} · ${agentMarkText(a.clientId, a.verifiedDomain)}` }))}
        timeZone={user.timeZone}
      />
    </>
  );
}
