// Elevation requests waiting for this user's decision, newest first, with what the Approvals
// screen shows: who asks, exactly what (scopes and RFC 9396 details in words), why, for how long.
import 'server-only';
import { db } from '@/lib/db/client';
import { authorizationDetailsSchema, describeAuthorizationDetail } from '@/lib/oauth/authorization-details';
import { isKnownScope, SCOPES } from '@/lib/oauth/scopes';

export async function listPendingApprovals(options: { userId: string }) {
  const rows = await db().approvalRequest.findMany({
    where: { userId: options.userId, status: 'PENDING', expiresAt: { gt: new Date() } },
    select: {
      id: true,
      scopes: true,
      authorizationDetails: true,
      bindingMessage: true,
      intent: true,
      windowSeconds: true,
      createdAt: true,
      expiresAt: true,
      agent: { select: { name: true, logoUri: true } },
    },
    orderBy: { createdAt: 'desc' },
    take: 100,
  });
  return rows.map((row) => {
    const details = authorizationDetailsSchema.safeParse(row.authorizationDetails ?? []);
    return {
      id: row.id,
      agentName: row.agent.name,
      agentLogoUri: row.agent.logoUri,
      scopes: row.scopes.map((s) => ({ name: s, description: isKnownScope(s) ? SCOPES[s].description : s })),
      details: details.success ? details.data.map(describeAuthorizationDetail) : [],
      bindingMessage: row.bindingMessage,
      intent: row.intent && !row.intent.startsWith('sha256:') ? row.intent : null,
      windowMinutes: Math.round(row.windowSeconds / 60),
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
    };
  });
}

export type PendingApproval = Awaited<ReturnType<typeof listPendingApprovals>>[number];
