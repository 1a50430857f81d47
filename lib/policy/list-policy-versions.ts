// The policy editor's data for one agent of one user: the version in force (or the defaults, as
// version 0) and every saved version, newest first. Null when the agent is not connected to them.
import 'server-only';
import { db } from '@/lib/db/client';
import { compilePolicy } from '@/lib/policy/compile-policy';
import { defaultPolicyDocument, policyDocumentSchema, type PolicyDocument } from '@/lib/policy/policy-document';

export async function listPolicyVersions(options: { userId: string; agentId: string }) {
  const { userId, agentId } = options;
  const agent = await db().agent.findFirst({ where: { id: agentId, grants: { some: { userId } } }, select: { name: true } });
  if (!agent) return null;
  const rows = await db().policy.findMany({
    where: { userId, agentId },
    orderBy: { version: 'desc' },
    take: 50,
    select: { version: true, createdAt: true, document: true, cedar: true, handWritten: true },
  });
  const versions = rows.flatMap((row) => {
    const parsed = policyDocumentSchema.safeParse(row.document);
    return parsed.success ? [{ ...row, document: parsed.data as PolicyDocument }] : [];
  });
  const defaults = defaultPolicyDocument();
  const current = versions[0] ?? { version: 0, createdAt: new Date(0), document: defaults, cedar: compilePolicy(defaults).text, handWritten: false };
  return { agentName: agent.name, current, versions };
}
