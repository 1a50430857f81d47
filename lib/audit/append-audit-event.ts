// Appends one record to the audit log, inside the caller's transaction, so that the record and
// the decision it records commit or fail together (DECISIONS 10). Records are hash-chained: each
// stores the hash of the previous one in its chain, and its own hash covers its content and that
// link (lib/audit/chain-append.ts, docs/audit.md). The action and its details are typed by the catalog
// (lib/audit/events.ts): a misspelt action or a wrong details field does not compile.
import 'server-only';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { StoredIntent } from '@/lib/audit/stored-intent';
import type { AuditAction, DetailsOf } from '@/lib/audit/events';
import { auditRecord, insertChained } from '@/lib/audit/chain-append';

export type AuditDecision = 'ALLOW' | 'DENY' | 'STEP_UP' | 'APPROVAL';

/** What every record has besides its action and details. */
type AuditFields = {
  decision: AuditDecision;
  reason?: string;
  userId?: string | null;
  agentId?: string | null;
  actor?: Prisma.InputJsonValue | null;
  resource?: string | null;
  tokenId?: string | null;
  scopes?: string[];
  /** The `Agent-Intent` as the user's privacy setting keeps it (lib/audit/stored-intent.ts). */
  intent?: StoredIntent | null;
  ip?: string | null;
  /** The HTTP request that caused it; by default the one being handled (lib/log/request-context.ts). */
  requestId?: string | null;
};

/** One action's record: `details` as the catalog describes them (optional where it allows none). */
type AuditInputOf<A extends AuditAction> = AuditFields & { action: A } & (undefined extends DetailsOf<A> ? { details?: DetailsOf<A> } : { details: DetailsOf<A> });

/** A record to append: a union over the catalog's actions, so `action` decides what `details` may be. */
export type AuditInput<A extends AuditAction = AuditAction> = A extends AuditAction ? AuditInputOf<A> : never;

/**
 * Inserts the record, linked into a free chain (lib/audit/chain-append.ts), in the caller's
 * transaction: the chain's head stays locked until that transaction ends and other writers take
 * another chain meanwhile, so concurrent decisions do not queue behind each other's commits.
 */
export async function appendAuditEvent<A extends AuditAction>(tx: Prisma.TransactionClient, input: AuditInput<A>): Promise<{ id: bigint }> {
  const [id] = await insertChained((sql) => tx.$queryRaw(sql), [auditRecord(input)]);
  const row = { id: id! };
  // The full text sits outside the chain (the row holds its hash), so it can be purged later.
  if (input.intent?.text) {
    await tx.auditIntentText.create({ data: { eventId: row.id, text: input.intent.text.text, purgeAfter: input.intent.text.purgeAfter } });
  }
  return { id: row.id };
}
