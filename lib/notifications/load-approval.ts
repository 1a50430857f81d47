// One approval request as its notifications tell it: who asks (with the mark that tells it from a
// look-alike), what in words, why, until when. Read here rather than through lib/approvals, which
// depends on the protocol core: lib/events (which the protocol core emits to) loads this folder, so
// it must not lead back there. The owner is in the query.
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { isKnownScope, SCOPES } from '@/lib/scopes/scopes';
import { describeAuthorizationDetail } from '@/lib/words/payment-words';

// The details were validated when the agent asked (lib/endpoints/oauth/bc-authorize.ts); read back
// structurally for their words.
const storedDetails = z.array(
  z.looseObject({
    type: z.literal('payment_initiation'),
    instructedAmount: z.object({ currency: z.string().regex(/^[A-Z]{3}$/), amount: z.string() }),
    creditorName: z.string(),
    creditorAccount: z.object({ iban: z.string() }).optional(),
    remittanceInformationUnstructured: z.string().optional(),
  }),
);

export async function loadApprovalForMessage(options: { userId: string; id: string }) {
  const row = await db().approvalRequest.findFirst({
    where: { id: options.id, userId: options.userId },
    select: {
      id: true,
      status: true,
      scopes: true,
      authorizationDetails: true,
      bindingMessage: true,
      intent: true,
      windowSeconds: true,
      expiresAt: true,
      agent: { select: { id: true, name: true, clientId: true, verifiedDomain: true } },
    },
  });
  if (!row) return null;
  const details = storedDetails.safeParse(row.authorizationDetails ?? []);
  return {
    id: row.id,
    status: row.status,
    agentId: row.agent.id,
    agentName: row.agent.name,
    agentClientId: row.agent.clientId,
    agentVerifiedDomain: row.agent.verifiedDomain,
    details: details.success ? details.data.map(describeAuthorizationDetail) : [],
    scopes: row.scopes.map((s) => ({ name: s, description: isKnownScope(s) ? SCOPES[s].description : s })),
    bindingMessage: row.bindingMessage,
    // A hashed intent says nothing to a person.
    intent: row.intent && !row.intent.startsWith('sha256:') ? row.intent : null,
    windowMinutes: Math.round(row.windowSeconds / 60),
    expiresAt: row.expiresAt.toISOString(),
  };
}

export type ApprovalForMessage = NonNullable<Awaited<ReturnType<typeof loadApprovalForMessage>>>;
