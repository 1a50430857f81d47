// RFC 7591 client metadata, validated by one zod schema that also decides which RFC 7591 §3.2.2
// error a bad field produces (invalid_redirect_uri vs invalid_client_metadata). Unknown fields are
// ignored, as §2 requires. Rules for redirect URIs follow OAuth 2.1 §2.3 and RFC 8252 (native apps).
import net from 'node:net';
import { z } from 'zod';
import { isPublicAddress } from '@/lib/clients/safe-fetch';
import { isKnownScope, parseScope } from '@/lib/oauth/scopes';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

function redirectUriProblem(raw: string, applicationType: 'web' | 'native'): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${raw} is not an absolute URI`;
  }
  if (url.hash || raw.includes('#')) return 'redirect URIs must not contain a fragment (RFC 6749 §3.1.2)';
  if (raw.includes('*')) return 'redirect URIs must not contain wildcards';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) return 'http redirect URIs are allowed only for loopback addresses';
    return applicationType === 'native' ? null : 'a web client must use https redirect URIs (loopback is for native clients)';
  }
  if (applicationType !== 'native') return `a web client cannot use the ${url.protocol} scheme`;
  // RFC 8252 §7.1: private-use schemes are reverse domain names, e.g. com.example.app:/callback.
  if (!/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)) {
    return 'a private-use URI scheme must be a reverse domain name (RFC 8252 §7.1)';
  }
  if (['javascript:', 'data:', 'file:', 'vbscript:'].includes(url.protocol)) return 'unsafe scheme';
  return null;
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
    application_type: z.enum(['web', 'native']).default('web'),
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
    for (const uri of m.redirect_uris ?? []) {
      const problem = redirectUriProblem(uri, m.application_type);
      if (problem) ctx.addIssue({ code: 'custom', path: ['redirect_uris'], message: problem });
    }
    const usesCode = m.grant_types.includes('authorization_code');
    if (usesCode && !(m.redirect_uris?.length)) {
      ctx.addIssue({ code: 'custom', path: ['redirect_uris'], message: 'redirect_uris is required for authorization_code' });
    }
    const responseTypes = m.response_types ?? (usesCode ? ['code'] : []);
    if (responseTypes.some((t) => t !== 'code') || responseTypes.includes('code') !== usesCode) {
      ctx.addIssue({ code: 'custom', path: ['response_types'], message: 'response_types must be ["code"] exactly when grant_types has authorization_code' });
    }
    if (m.grant_types.includes('client_credentials') && m.token_endpoint_auth_method === 'none') {
      ctx.addIssue({ code: 'custom', path: ['grant_types'], message: 'client_credentials needs a confidential client (RFC 6749 §4.4)' });
    }
    if (m.jwks_uri !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['jwks_uri'], message: 'jwks_uri is not supported yet; register the keys inline as jwks' });
    }
    if (m.token_endpoint_auth_method === 'private_key_jwt' && !m.jwks) {
      ctx.addIssue({ code: 'custom', path: ['jwks'], message: 'private_key_jwt needs the client\'s public keys (jwks)' });
    }
    const unknown = parseScope(m.scope).filter((s) => !isKnownScope(s));
    if (unknown.length) ctx.addIssue({ code: 'custom', path: ['scope'], message: `unknown scope: ${unknown.join(' ')}` });
  });

export type ClientMetadata = z.output<typeof clientMetadataSchema>;
