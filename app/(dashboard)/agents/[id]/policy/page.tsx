import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PolicyEditor, type PolicyVersion } from '@/components/dashboard/policy-editor';
import { requireUser } from '@/lib/auth/session';
import { listPolicyVersions } from '@/lib/policy/list-policy-versions';
import { listDelegateCandidates } from '@/lib/agents/list-delegate-candidates';
import { declaredActionsOf } from '@/lib/policy/declared-actions';
import { listProtectedResources } from '@/lib/protected-resources/registry';

export const metadata: Metadata = { title: 'Policy' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function PolicyPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const found = UUID.test(id) ? await listPolicyVersions({ userId: user.id, agentId: id }) : null;
  if (!found) notFound();
  const [delegates, resources] = await Promise.all([listDelegateCandidates({ userId: user.id, agentId: id, named: found.current.document.mayAct ?? [] }), listProtectedResources()]);
  // Registered APIs' own actions, decided by this policy beside Leash's (issue 14 §3).
  const declared = declaredActionsOf(resources);
  const serialize = (v: (typeof found.versions)[number]): PolicyVersion => ({ ...v, createdAt: v.createdAt.toISOString() });
  return (
    <div className="space-y-5">
      <nav className="text-sm text-muted">
        <Link href="/agents" className="hover:text-fg">
          Agents
        </Link>{' '}
        /{' '}
        <Link href={`/agents/${id}`} className="hover:text-fg">
          {found.agentName}
        </Link>{' '}
        / <span className="text-fg">Policy</span>
      </nav>
      <header>
        <h1 className="text-2xl font-semibold tracking-tight text-fg">Policy for {found.agentName}</h1>
        <p className="mt-1 max-w-2xl text-sm text-muted">What this agent may do with your account, checked on every call it makes. Changes apply to its next request.</p>
      </header>
      <PolicyEditor
        agentId={id}
        agentName={found.agentName}
        current={serialize(found.current)}
        versions={found.versions.map(serialize)}
        userTimeZone={user.timeZone}
        delegates={delegates}
        declared={declared}
      />
    </div>
  );
}
