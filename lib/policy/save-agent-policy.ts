// Saves the next version of a user's policy for one agent: the structured document (zod), and
// optionally hand-written Cedar that decides instead of the compiled rules. Nothing invalid is
// stored; the new version applies to the agent's very next request (versions are immutable and
// the newest is in force); the change is audited in the same transaction. `expectedVersion`
// makes concurrent editors fail instead of overwriting each other. The dashboard's editor calls this.
import 'server-only';
import { db } from '@/lib/db/client';
import { forgettingAfter } from '@/lib/cache/hot-cache';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import type { CedarProblem } from '@/lib/policy/cedar-schema';
import { validateCedarPolicies } from '@/lib/policy/cedar-schema';
import { compilePolicy } from '@/lib/policy/compile-policy';
import { compileHandWrittenCedar } from '@/lib/policy/hand-written-cedar';
import { policyDocumentSchema } from '@/lib/policy/policy-document';
import { Prisma } from '@/lib/generated/prisma/client';

export type SavePolicyResult =
  | { ok: true; version: number }
  | { ok: false; reason: 'invalid_document'; issues: { path: string; message: string }[] }
  | { ok: false; reason: 'invalid_cedar'; problems: CedarProblem[] }
  | { ok: false; reason: 'version_conflict'; currentVersion: number };

export async function saveAgentPolicy(options: {
  userId: string;
  agentId: string;
  document: unknown;
  /** Hand-written Cedar; absent: compiled from the document. */
  cedar?: string;
  /** The version the editor started from (0 for the defaults); a newer one in the database refuses. */
  expectedVersion?: number;
  savedById: string;
}): Promise<SavePolicyResult> {
  const parsed = policyDocumentSchema.safeParse(options.document);
  if (!parsed.success) {
    return { ok: false, reason: 'invalid_document', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
  }
  const document = parsed.data;
  let cedar: string;
  if (options.cedar !== undefined) {
    const handWritten = compileHandWrittenCedar(options.cedar, document);
    if ('problems' in handWritten) return { ok: false, reason: 'invalid_cedar', problems: handWritten.problems };
    cedar = handWritten.compiled.text;
  } else {
    cedar = compilePolicy(document).text;
    const problems = validateCedarPolicies(cedar);
    if (problems.length) return { ok: false, reason: 'invalid_cedar', problems };
  }

  try {
    return await forgettingAfter(
      db().$transaction(async (tx) => {
        const latest = await tx.policy.findFirst({
          where: { userId: options.userId, agentId: options.agentId },
          orderBy: { version: 'desc' },
          select: { version: true },
        });
        const current = latest?.version ?? 0;
        if (options.expectedVersion !== undefined && options.expectedVersion !== current) {
          return { ok: false as const, reason: 'version_conflict' as const, currentVersion: current };
        }
        const version = current + 1;
        await tx.policy.create({
          data: {
            userId: options.userId,
            agentId: options.agentId,
            version,
            document: document as Prisma.InputJsonObject,
            cedar,
            handWritten: options.cedar !== undefined,
            createdById: options.savedById,
          },
        });
        await appendAuditEvent(tx, {
          action: 'policy.update',
          decision: 'ALLOW',
          reason: `policy v${version} saved${options.cedar !== undefined ? ' (hand-written Cedar)' : ''}`,
          userId: options.userId,
          agentId: options.agentId,
          details: { version, handWritten: options.cedar !== undefined },
        });
        return { ok: true as const, version };
      }),
    );
  } catch (error) {
    // Two saves of the same next version: the unique index lets one win.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const latest = await db().policy.findFirst({ where: { userId: options.userId, agentId: options.agentId }, orderBy: { version: 'desc' }, select: { version: true } });
      return { ok: false, reason: 'version_conflict', currentVersion: latest?.version ?? 0 };
    }
    throw error;
  }
}
