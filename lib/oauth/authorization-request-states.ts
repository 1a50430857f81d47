// The authorization request state machine (STYLE habit 8), persisted in `authorization_requests`:
//
//   GET /oauth/authorize ──valid──▶ PENDING ──(user opens /consent/:id: bound to that user)
//                                     │    ◀──(that user: "Not you? Switch account": unbound again,
//                                     │         lib/consent/release-authorization-request.ts)
//                    ┌────────────────┼─────────────────────┐
//            Allow (or remembered)  Deny                 10 minutes pass
//                    ▼                ▼                     ▼
//                APPROVED          DENIED            (expired: unusable)
//          code issued (60 s)   access_denied
//                    │
//       POST /oauth/token ──first use──▶ codeUsedAt set (tokens issued)
//                         ──second use─▶ invalid_grant, every token from it revoked
//
//   POST /oauth/par ──▶ PENDING with a request_uri ──GET /oauth/authorize?request_uri── used once
//   POST /oauth/device_authorization ──▶ PENDING ── approved or denied on /device ── device code
//                                          collected once by polling (RFC 8628 §3.4)
//
// Every transition is a compare-and-swap on the current status (and on codeUsedAt or
// requestUriUsedAt), so a request is decided once and a code is exchanged once, whatever races.
// The transitions below are the only writers of a request's state (issue 13); each returns whether
// it won. Creating a request and its polling clock (lib/oauth/grants/device-code.ts) are not
// transitions.
import 'server-only';
import type { Prisma } from '@/lib/generated/prisma/client';

type Q = Prisma.TransactionClient;
export const AUTHORIZATION_REQUEST_TTL_SECONDS = 600;
export const AUTHORIZATION_CODE_TTL_SECONDS = 60;
/** Absolute lifetime of a refresh token family (PRODUCT.md: at most 30 days). */
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** PENDING, unbound or bound to this user → bound to this user and session (opening the consent screen). */
export async function bindRequest(q: Q, r: { id: string; userId: string; sessionId: string; consentTokenHash: string }): Promise<boolean> {
  const { count } = await q.authorizationRequest.updateMany({
    where: { id: r.id, status: 'PENDING', expiresAt: { gt: new Date() }, OR: [{ userId: null }, { userId: r.userId }] },
    data: { userId: r.userId, sessionId: r.sessionId, consentTokenHash: r.consentTokenHash },
  });
  return count === 1;
}

/**
 * PENDING, bound to this user with this consent token → unbound ("Not you? Switch account"). A
 * fresh random hash replaces the token: the old screen's token is void.
 */
export async function releaseRequest(q: Q, r: { id: string; userId: string; consentTokenHash: string; newConsentTokenHash: string }): Promise<boolean> {
  const { count } = await q.authorizationRequest.updateMany({
    where: { id: r.id, userId: r.userId, status: 'PENDING', expiresAt: { gt: new Date() }, consentTokenHash: r.consentTokenHash },
    data: { userId: null, sessionId: null, consentTokenHash: r.newConsentTokenHash },
  });
  return count === 1;
}

/** PENDING, unexpired, bound to this user → APPROVED, with its grant and single-use code. */
export async function approveRequest(q: Q, r: { id: string; userId: string; now: Date; scopes: string[]; grantId: string; codeHash: string; codeExpiresAt: Date }): Promise<boolean> {
  const { count } = await q.authorizationRequest.updateMany({
    where: { id: r.id, userId: r.userId, status: 'PENDING', expiresAt: { gt: r.now } },
    data: { status: 'APPROVED', scopes: r.scopes, grantId: r.grantId, codeHash: r.codeHash, codeExpiresAt: r.codeExpiresAt, decidedAt: r.now },
  });
  return count === 1;
}

/** PENDING, bound to this user → DENIED. */
export async function denyRequest(q: Q, r: { id: string; userId: string }): Promise<boolean> {
  const { count } = await q.authorizationRequest.updateMany({
    where: { id: r.id, userId: r.userId, status: 'PENDING' },
    data: { status: 'DENIED', decidedAt: new Date() },
  });
  return count === 1;
}

/** APPROVED, code (or device code) not yet used → used: the one redemption (lib/tokens/redeem-once.ts). */
export async function claimCode(q: Q, r: { id: string; now: Date }): Promise<boolean> {
  const { count } = await q.authorizationRequest.updateMany({ where: { id: r.id, status: 'APPROVED', codeUsedAt: null }, data: { codeUsedAt: r.now } });
  return count === 1;
}

/** PENDING, this agent's, request_uri unexpired and unused → used (RFC 9126 §4: one use). */
export async function claimRequestUri(q: Q, r: { requestUriHash: string; agentId: string; now: Date }): Promise<boolean> {
  const { count } = await q.authorizationRequest.updateMany({
    where: { requestUriHash: r.requestUriHash, agentId: r.agentId, requestUriUsedAt: null, requestUriExpiresAt: { gt: r.now }, status: 'PENDING' },
    data: { requestUriUsedAt: r.now },
  });
  return count === 1;
}
