// RFC 7591 client metadata, validated by one zod schema that also decides which RFC 7591 §3.2.2
// error a bad field produces (invalid_redirect_uri vs invalid_client_metadata). Unknown fields are
// ignored, as §2 requires. Rules for redirect URIs follow OAuth 2.1 §2.3 and RFC 8252 (native apps).
import net from 'node:net';
import { z } from 'zod';
import { getConfig } from '@/lib/config/config';
import { isPublicAddress } from '@/lib/http/safe-fetch';

// RFC 8252 §7.3: the loopback interface, by name or literal address (exact host match: a lookalike
// such as localhost.evil.com or 127.0.0.1.nip.io is an ordinary host).
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

function parsed(raw: string): URL | null {
  return URL.canParse(raw) ? new URL(raw) : null;
}

/** An `http` redirect URI on the loopback interface (RFC 8252 §7.3), the native apps' callback. */
export function isLoopbackRedirect(raw: string): boolean {
  const url = parsed(raw);
  return url !== null && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** A private-use URI scheme (RFC 8252 §7.1): neither http nor https, so only an app on the device handles it. */
function isPrivateUseRedirect(raw: string): boolean {
  const url = parsed(raw);
  return url !== null && url.protocol !== 'http:' && url.protocol !== 'https:';
}

/**
 * The application type to record when the metadata states none. RFC 7591 §2 defaults it to `web`
 * (OpenID DCR), but the MCP clients people run (Claude Code, Cursor, VS Code, OpenCode, MCP SDKs
 * before SEP-837) register loopback or private-use callbacks and no type: a client whose redirect
 * URIs all are `http` on loopback (RFC 8252 §7.3) or a private-use scheme (§7.1) can only be an
 * app on the user's own device, a native app, whatever its token_endpoint_auth_method. A stated
 * type always wins; a list with any https or other-host URI stays `web`.
 */
export function inferApplicationType(stated: 'web' | 'native' | undefined, redirectUris: readonly string[] | undefined): 'web' | 'native' {
  if (stated) return stated;
  return redirectUris?.length && redirectUris.every((uri) => isLoopbackRedirect(uri) || isPrivateUseRedirect(uri)) ? 'native' : 'web';
}

/** The type recorded for an agent (older records without one: inferred from its redirect URIs). */
export function recordedApplicationType(agent: { metadata: unknown; redirectUris: string[] }): 'web' | 'native' {
  const stated = (agent.metadata as { application_type?: unknown } | null)?.application_type;
  return inferApplicationType(stated === 'web' || stated === 'native' ? stated : undefined, agent.redirectUris);
}

function redirectUriProblem(raw: string, applicationType: 'web' | 'native'): string | null {
  const url = parsed(raw);
  if (!url) return `${raw} is not an absolute URI`;
  if (url.hash || raw.includes('#')) return 'redirect URIs must not contain a fragment (RFC 6749 §3.1.2)';
  if (raw.includes('*')) return 'redirect URIs must not contain wildcards';
  // A user-info part (https://good.example@evil.example/cb) shows a person one host and sends the
  // code to another (RFC 3986 §3.2.1 deprecates it; RFC 9700 §4.1.3 on confusable redirects).
  if (url.username || url.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(raw)) {
    return 'redirect URIs must not contain user information (user@host)';
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) return 'http redirect URIs are allowed only for loopback addresses';
    return applicationType === 'native' ? null : 'a web client must use https redirect URIs (loopback is for native clients)';
  }
  if (applicationType !== 'native') return `a web client cannot use the ${url.protocol} scheme`;
  if (['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:'].includes(url.protocol)) return 'unsafe scheme';
  // RFC 8252 §7.1: private-use schemes are reverse domain names, e.g. com.example.app:/callback.
  // The deployment may accept a few others that major MCP hosts ship (LEASH_NATIVE_SCHEMES).
  if (isAllowedPrivateScheme(url.protocol)) return null;
  if (!/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)) {
    return 'a private-use URI scheme must be a reverse domain name (RFC 8252 §7.1)';
  }
  return null;
}

/** A private-use scheme the deployment accepts though it is not a reverse domain name. */
export function isAllowedPrivateScheme(protocol: string): boolean {
  return getConfig().nativeSchemes.includes(protocol.replace(/:$/, ''));
}

const httpsUrl = z
  .string()
  .max(2000)
  .refine((v) => URL.canParse(v) && new URL(v).protocol === 'https:', 'must be an https URL');

// The consent screen and dashboard make the user's browser load the logo (Leash never fetches it):
// a logo on a loopback, private or link-local host would have the user's browser send a request
// into their own network (RFC 7591 §5: the client chooses these URLs; the Client ID Metadata
// Document draft's security considerations on SSRF).
function isPublicHost(raw: string): boolean {
  if (!URL.canParse(raw)) return true; // reported as "must be an https URL"
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return false;
  return net.isIP(host) === 0 || isPublicAddress(host);
}
const logoUrl = httpsUrl.refine(isPublicHost, 'must be an https URL on a public host');

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;

// A registered public key set: public members only, a bounded number of keys.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
const jwksSchema = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(10) })
  .refine((s) => s.keys.every((k) => typeof k.kty === 'string' && PRIVATE_MEMBERS.every((m) => !(m in k))), 'keys must be public JWKs');

export const clientMetadataSchema = z
  .object({
    redirect_uris: z.array(z.string().max(2000)).max(20).optional(),
    token_endpoint_auth_method: z.enum(AUTH_METHODS).default('client_secret_basic'),
    grant_types: z.array(z.string().max(100)).max(10).default(['authorization_code']),
    response_types: z.array(z.string().max(100)).max(5).optional(),
    application_type: z.enum(['web', 'native']).optional(),
    client_name: z.string().trim().min(1).max(200).optional(),
    client_uri: httpsUrl.optional(),
    logo_uri: logoUrl.optional(),
    tos_uri: httpsUrl.optional(),
    policy_uri: httpsUrl.optional(),
    scope: z.string().max(2000).optional(),
    contacts: z.array(z.email().max(254)).max(10).optional(),
    software_id: z.string().max(200).optional(),
    software_version: z.string().max(200).optional(),
    jwks: jwksSchema.optional(),
    jwks_uri: z.string().optional(),
  })
  .superRefine((m, ctx) => {
    const applicationType = inferApplicationType(m.application_type, m.redirect_uris);
    for (const uri of m.redirect_uris ?? []) {
      const problem = redirectUriProblem(uri, applicationType);
      if (problem) ctx.addIssue({ code: 'custom', path: ['redirect_uris'], message: problem });
    }
    const usesCode = m.grant_types.includes('authorization_code');
    if (usesCode && !m.redirect_uris?.length) {
      ctx.addIssue({ code: 'custom', path: ['redirect_uris'], message: 'redirect_uris is required for authorization_code' });
    }
    const unsupported = (m.response_types ?? []).filter((t) => t !== 'code');
    if (unsupported.length) {
      ctx.addIssue({ code: 'custom', path: ['response_types'], message: `not supported here: ${unsupported.join(' ')} (only the authorization code flow, OAuth 2.1 §4.1)` });
    }
    if (m.grant_types.includes('client_credentials') && m.token_endpoint_auth_method === 'none') {
      ctx.addIssue({ code: 'custom', path: ['grant_types'], message: 'client_credentials needs a confidential client (RFC 6749 §4.4)' });
    }
    if (m.jwks_uri !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['jwks_uri'], message: 'jwks_uri is not supported yet; register the keys inline as jwks' });
    }
    if (m.token_endpoint_auth_method === 'private_key_jwt' && !m.jwks) {
      ctx.addIssue({ code: 'custom', path: ['jwks'], message: "private_key_jwt needs the client's public keys (jwks)" });
    }
    // Whether each scope exists is checked after parsing (registered APIs define scopes too):
    // unknownRegisteredScopes below.
  })
  // RFC 7591 §2.1: "the authorization server MAY ... reconcile" grant_types and response_types.
  // response_types follows grant_types: ["code"] exactly when the authorization code grant is
  // registered (mcp-remote's device-code mode registers the device grant with ["code"]; it is
  // recorded as []). Only a response type this server does not support is an error.
  .transform((m) => ({
    ...m,
    application_type: inferApplicationType(m.application_type, m.redirect_uris),
    response_types: m.grant_types.includes('authorization_code') ? ['code'] : [],
  }));

export type ClientMetadata = z.output<typeof clientMetadataSchema>;
