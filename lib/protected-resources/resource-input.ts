// What an administrator may register as a protected resource, checked before anything is stored.
// Pure (zod only): the dashboard's form shows the same messages the API answers with.
import { z } from 'zod';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * RFC 8707 §2: a resource indicator is an absolute URI without a fragment; RFC 9728 §1.2: an https
 * URL for a protected resource. Plain http only on loopback, and only while the issuer itself is a
 * loopback http URL (development and the tests), never next to an https issuer.
 */
export function resourceIdentifierProblem(raw: string, issuerIsHttps: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (raw.includes('#')) return 'must not have a fragment (RFC 8707 §2)';
  if (url.search || raw.includes('?')) return 'must not have a query';
  if (url.username || url.password) return 'must not contain credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname) && !issuerIsHttps) return null;
  return issuerIsHttps ? 'must be an https URL' : 'must be an https URL (http only on localhost in development)';
}

const risk = z.enum(['low', 'medium', 'high']);

/** Scope names: `area:verb` like Leash's own (`notes:read`), so they read well on the consent screen. */
export const SCOPE_NAME = /^[a-z][a-z0-9_-]{0,39}:[a-z][a-z0-9_-]{0,39}$/;
/** Action names: `area.verb` (`notes.delete`), like Leash's own actions (`payments.initiate`). */
export const ACTION_NAME = /^[a-z][a-z0-9_-]{0,39}\.[a-z][a-z0-9_-]{0,39}$/;

export const resourceScopeSchema = z.object({
  name: z.string().regex(SCOPE_NAME, 'a scope is written area:verb in lower case, e.g. notes:read'),
  description: z.string().trim().min(1, 'say what the scope allows, in words the person reads on the consent screen').max(120),
  risk,
});
export const resourceScopesSchema = z.array(resourceScopeSchema).max(50);

export const resourceActionSchema = z.object({
  name: z.string().regex(ACTION_NAME, 'an action is written area.verb in lower case, e.g. notes.delete'),
  scope: z.string(),
  risk,
  description: z.string().trim().min(1).max(120),
});
export const resourceActionsSchema = z.array(resourceActionSchema).max(100);

const jwkSet = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(10) })
  .refine((set) => set.keys.every((key) => !('d' in key)), 'register public keys only (a key with "d" is private)');

export const resourceRegistrationSchema = z
  .object({
    identifier: z.string().trim().min(1).max(500),
    name: z.string().trim().min(1, 'give the API a name people recognise').max(80),
    description: z.string().trim().max(300).optional(),
    scopes: resourceScopesSchema.min(1, 'define at least one scope'),
    actions: resourceActionsSchema.default([]),
    tokenFormat: z.enum(['opaque', 'jwt']).default('opaque'),
    authMethod: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt']).default('client_secret_basic'),
    jwks: jwkSet.optional(),
  })
  .superRefine((input, ctx) => {
    const names = input.scopes.map((s) => s.name);
    const repeated = names.filter((n, i) => names.indexOf(n) !== i);
    if (repeated.length) ctx.addIssue({ code: 'custom', path: ['scopes'], message: `defined twice: ${[...new Set(repeated)].join(', ')}` });
    const actionNames = input.actions.map((a) => a.name);
    const repeatedActions = actionNames.filter((n, i) => actionNames.indexOf(n) !== i);
    if (repeatedActions.length) ctx.addIssue({ code: 'custom', path: ['actions'], message: `declared twice: ${[...new Set(repeatedActions)].join(', ')}` });
    input.actions.forEach((action, i) => {
      if (!names.includes(action.scope)) ctx.addIssue({ code: 'custom', path: ['actions', i, 'scope'], message: `${action.scope} is not one of this API's scopes` });
    });
    if (input.authMethod === 'private_key_jwt' && !input.jwks) ctx.addIssue({ code: 'custom', path: ['jwks'], message: 'private_key_jwt needs the public keys (jwks)' });
    if (input.authMethod !== 'private_key_jwt' && input.jwks) ctx.addIssue({ code: 'custom', path: ['jwks'], message: 'jwks is only for private_key_jwt' });
  });

export type ResourceRegistration = z.output<typeof resourceRegistrationSchema>;
export type ResourceRegistrationInput = z.input<typeof resourceRegistrationSchema>;
