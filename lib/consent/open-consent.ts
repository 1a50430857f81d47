// What the consent screen shows for a pending authorization request, for the signed-in user.
// Opening it binds the request to this user (nobody else can decide it afterwards) and issues a
// fresh consent token for the form (CSRF). A remembered consent that covers the request, or
// prompt=none, decides at once and sends the browser back to the agent.
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { approveAuthorizationRequest, isAgentSuspended } from '@/lib/consent/approve-authorization-request';
import { denyAuthorizationRequest } from '@/lib/consent/deny-authorization-request';
import { authorizationDetailsSchema, describeAuthorizationDetail } from '@/lib/oauth/authorization-details';
import { tokenPolicy } from '@/lib/oauth/agent-token-policy';
import { acrRank } from '@/lib/auth/assurance';
import { bindRequest, REFRESH_TOKEN_TTL_SECONDS } from '@/lib/oauth/authorization-request-states';
import { describeKnownScope, findProtectedResource } from '@/lib/protected-resources/registry';
import { hashToken } from '@/lib/tokens/opaque-token';
import { agentLinks, type AgentLinks } from '@/lib/oauth/clients/agent-links';

export type ConsentView = {
  requestId: string;
  agent: { name: string; logoUri: string | null; verifiedDomain: string | null; clientId: string; links: AgentLinks };
  redirectHost: string;
  redirectIsLocal: boolean;
  /** A private-use scheme (RFC 8252 §7.1): the code goes to whichever app on the device opens it. */
  redirectScheme: string | null;
  scopes: { name: string; description: string; risk: 'low' | 'medium' | 'high' }[];
  /** RFC 8707 resource indicators, as full URIs. */
  audience: string[];
  /** A registered API's name for each of `audience` (null for Leash's own, described in words). */
  audienceNames: (string | null)[];
  authorizationDetails: string[];
  accessTokenMinutes: number;
  refreshDays: number | null;
  expiresAt: Date;
};

export type ConsentOutcome =
  | { kind: 'missing' }
  | { kind: 'redirect'; to: string }
  /** The request asks for more assurance than this session has (acr_values): step up first. */
  | { kind: 'step_up' }
  /** prompt=login, or a sign-in older than max_age: the user proves their password again first. */
  | { kind: 'reauthenticate' }
  | { kind: 'show'; view: ConsentView; consentToken: string };

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export async function openConsent(options: { id: string; userId: string; sessionId: string; sessionAcr: string; sessionAuthTime: Date; ip: string }): Promise<ConsentOutcome> {
  const { id, userId } = options;
  const consentToken = crypto.randomBytes(32).toString('base64url');
  if (!(await bindRequest(db(), { id, userId, sessionId: options.sessionId, consentTokenHash: hashToken(consentToken) }))) return { kind: 'missing' };
  const request = await db().authorizationRequest.findUniqueOrThrow({
    where: { id },
    include: { agent: { select: { name: true, logoUri: true, clientUri: true, metadata: true, clientId: true, registration: true, verifiedDomain: true } } },
  });

  // The user's kill switch is on for this agent: the agent is told no at once (RFC 6749 §4.1.2.1).
  if (await isAgentSuspended(db(), userId, request.agentId)) {
    const to = await db().$transaction((tx) => denyAuthorizationRequest(tx, { request, userId, error: 'access_denied', description: 'The user has suspended this agent.', ip: options.ip }));
    return { kind: 'redirect', to };
  }

  // OpenID Connect Core §3.1.2.1: prompt=login wants an authentication made for this request;
  // max_age bounds how old the sign-in may be. Either way the user confirms their password again
  // (the session's auth_time moves forward, and the tokens carry it).
  // A password confirmed after the request arrived satisfies both (max_age=0 acts like prompt=login).
  const freshForRequest = options.sessionAuthTime >= request.createdAt;
  const signedInFor = (Date.now() - options.sessionAuthTime.getTime()) / 1000;
  const wantsLogin = request.prompt?.split(' ').includes('login') ?? false;
  const tooOld = request.maxAge !== null && signedInFor > request.maxAge;
  if (!freshForRequest && (wantsLogin || tooOld)) return { kind: 'reauthenticate' };

  // OpenID Connect Core §3.1.2.1 acr_values (as RFC 9470 re-uses them): a request for multi-factor
  // or phishing-resistant assurance sends a password-only session through step-up first; the
  // tokens then carry the session's stronger acr.
  const required = Math.max(0, ...request.acrValues.map(acrRank));
  if (acrRank(options.sessionAcr) < required) return { kind: 'step_up' };

  const forceConsent = request.prompt?.split(' ').includes('consent') ?? false;
  const remembered =
    forceConsent || request.authorizationDetails
      ? null
      : await db().grant.findFirst({
          where: {
            userId,
            agentId: request.agentId,
            status: 'ACTIVE',
            remembered: true,
            scopes: { hasEvery: request.scopes },
            resources: { hasEvery: request.resources },
          },
          select: { id: true },
        });
  if (remembered) {
    const to = await db().$transaction((tx) => approveAuthorizationRequest(tx, { request, userId, scopes: request.scopes, remember: true, existingGrantId: remembered.id, ip: options.ip }));
    return { kind: 'redirect', to };
  }
  if (request.prompt?.split(' ').includes('none')) {
    const to = await db().$transaction((tx) =>
      denyAuthorizationRequest(tx, { request, userId, error: 'consent_required', description: 'The user has not consented to this request yet.', ip: options.ip }),
    );
    return { kind: 'redirect', to };
  }

  // What the user's policy for this agent will actually issue (lib/oauth/agent-token-policy.ts).
  const policy = await tokenPolicy({ userId, agentId: request.agentId });
  const canRefresh = policy.allowedScopes(['offline_access']).length > 0;
  const redirect = new URL(request.redirectUri);
  const details = authorizationDetailsSchema.safeParse(request.authorizationDetails ?? []);
  return {
    kind: 'show',
    consentToken,
    view: {
      requestId: id,
      agent: {
        name: request.agent.name,
        logoUri: request.agent.logoUri,
        clientId: request.agent.clientId,
        links: agentLinks(request.agent),
        verifiedDomain: request.agent.registration === 'CIMD' ? request.agent.verifiedDomain : null,
      },
      redirectHost: redirect.protocol === 'http:' || redirect.protocol === 'https:' ? redirect.host : `${redirect.protocol}//`,
      redirectIsLocal: (redirect.protocol === 'http:' || redirect.protocol === 'https:') && LOCAL_HOSTS.has(redirect.hostname),
      redirectScheme: redirect.protocol === 'http:' || redirect.protocol === 'https:' ? null : redirect.protocol.replace(/:$/, ''),
      // offline_access (added for clients that registered refresh, lib/oauth/validate-authorization-params.ts)
      // is shown only where the policy would honour it.
      // Leash's own scopes and those a registered API defines, in the words it registered.
      scopes: (await Promise.all(request.scopes.filter((name) => name !== 'offline_access' || canRefresh).map(describeKnownScope))).filter((s) => s !== null),
      audience: request.resources,
      audienceNames: await Promise.all(
        request.resources.map(async (r) => {
          const found = await findProtectedResource(r);
          return found && !found.builtIn ? found.name : null;
        }),
      ),
      authorizationDetails: details.success ? details.data.map(describeAuthorizationDetail) : [],
      accessTokenMinutes: Math.round(policy.accessTokenSeconds / 60),
      refreshDays: request.scopes.includes('offline_access') && canRefresh ? Math.min(REFRESH_TOKEN_TTL_SECONDS * 1000, policy.refreshMs) / 86_400_000 : null,
      expiresAt: request.expiresAt,
    },
  };
}
