// The authorization request's own parameters, checked once the redirect is known to be safe.
// Each failure is the OAuthError the RFCs name; the caller redirects it to the agent.
import 'server-only';
import { authorizationDetailsSchema, type AuthorizationDetail } from '@/lib/oauth/authorization-details';
import { checkResources } from '@/lib/oauth/check-resources';
import { OAuthError } from '@/lib/oauth/errors';
import type { OAuthParams } from '@/lib/oauth/read-form';
import { isKnownScope, parseScope, SCOPES } from '@/lib/scopes/scopes';
import { knownScopeNames } from '@/lib/protected-resources/registry';

const PROMPTS = new Set(['none', 'login', 'consent']);

export async function validateAuthorizationParams(params: OAuthParams, client: RegisteredScopes) {
  if (params.get('request')) throw new OAuthError('request_not_supported', 'Request objects (JAR) are not supported.');
  if (params.get('request_uri')) throw new OAuthError('invalid_request', 'request_uri must come from the pushed authorization request endpoint.');
  // OAuth 2.1 §4.1.1: only the authorization code flow.
  const responseType = params.get('response_type');
  if (!responseType) throw new OAuthError('invalid_request', 'response_type is required.');
  if (responseType !== 'code') throw new OAuthError('unsupported_response_type', 'Only response_type=code is supported.');
  const responseMode = params.get('response_mode');
  if (responseMode && responseMode !== 'query') throw new OAuthError('invalid_request', 'Only response_mode=query is supported.');

  // RFC 7636 + OAuth 2.1 §4.1.1: PKCE with S256 for every client; `plain` is refused.
  const codeChallenge = params.get('code_challenge');
  if (!codeChallenge) throw new OAuthError('invalid_request', 'code_challenge is required (PKCE).');
  const method = params.get('code_challenge_method');
  if (method !== 'S256') throw new OAuthError('invalid_request', 'code_challenge_method must be S256.');
  if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
    throw new OAuthError('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters).');
  }

  const scopes = await resolveRequestedScopes(params.get('scope'), client);

  const resources = await checkResources(params.resources);

  let authorizationDetails: AuthorizationDetail[] | undefined;
  const rawDetails = params.get('authorization_details');
  if (rawDetails) {
    let json: unknown;
    try {
      json = JSON.parse(rawDetails);
    } catch {
      throw new OAuthError('invalid_authorization_details', 'authorization_details is not valid JSON.');
    }
    const parsed = authorizationDetailsSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new OAuthError('invalid_authorization_details', `${issue.path.join('.') || 'authorization_details'}: ${issue.message}`);
    }
    authorizationDetails = parsed.data;
  }

  const prompt = params.get('prompt');
  if (prompt && !prompt.split(' ').every((p) => PROMPTS.has(p))) throw new OAuthError('invalid_request', 'Unsupported prompt value.');
  const rawMaxAge = params.get('max_age');
  if (rawMaxAge !== undefined && !/^\d{1,9}$/.test(rawMaxAge)) throw new OAuthError('invalid_request', 'max_age must be a whole number of seconds.');
  const acrValues = parseScope(params.get('acr_values'));

  return {
    scopes,
    resources,
    codeChallenge,
    authorizationDetails,
    prompt,
    maxAge: rawMaxAge === undefined ? undefined : Number(rawMaxAge),
    acrValues,
  };
}

/** What the agent registered that bears on the scopes of a request the person will decide. */
export type RegisteredScopes = { scopes: string[]; grantTypes: string[] };

/**
 * RFC 6749 §3.3: the scopes of a request the person decides on the consent screen (authorization
 * code, PAR, device). Unknown scopes are refused before the screen.
 *
 * The registered `scope` is not a ceiling here: it is the client's own declaration (RFC 7591 §2,
 * "scope values that the client can use"), chosen by whoever registered, and MCP clients register
 * with the scope of the first 401 challenge, then widen with a step-up authorization when a tool
 * answers 403 insufficient_scope (MCP authorization, "Scope Challenge Handling"): refusing scopes
 * beyond that registration would make step-up impossible. The person (who can untick any scope)
 * and the policy's scope ceiling (applied at issuance) are the boundaries. Nothing asked: the
 * registered low-risk scopes.
 *
 * A client that registered the refresh_token grant gets offline_access added to what it asked for:
 * MCP TypeScript SDK 1.x (and LangChain's adapters on it) never asks for offline_access, so its
 * agents would need a new browser sign-in every 10 minutes. OAuth 2.1 §1.3.2 leaves issuing refresh
 * tokens to the server; adding it as a scope puts it on the consent screen ("stay connected"), where
 * the person can untick it, and the policy still decides whether refresh is allowed at all.
 */
export async function resolveRequestedScopes(raw: string | undefined, client: RegisteredScopes): Promise<string[]> {
  const requested = parseScope(raw);
  // Leash's own scopes and those of every registered API (lib/protected-resources/registry.ts).
  const known = await knownScopeNames();
  const unknown = requested.filter((s) => !known.has(s));
  if (unknown.length) throw new OAuthError('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
  const scopes = requested.length ? requested : client.scopes.filter((s) => isKnownScope(s) && SCOPES[s].risk === 'low');
  if (scopes.length === 0) throw new OAuthError('invalid_scope', 'No scope requested.');
  if (client.grantTypes.includes('refresh_token') && !scopes.includes('offline_access')) return [...scopes, 'offline_access'];
  return scopes;
}
