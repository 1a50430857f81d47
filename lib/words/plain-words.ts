// The words a person reads instead of the codes the protocol and the log use: scopes
// (`reports:read` → "Read your reports"), actions (`payments.initiate` → "Initiate a payment"),
// assurance (`urn:leash:acr:mfa` → "password and a second factor"), audiences, decisions, alert
// kinds, and delegation chains ("Agent B acting for Agent A"). Pure and free of server imports,
// so pages and client components share them; the codes themselves stay available in each screen's
// "Technical details" (components/ui/technical-details.tsx). An unknown code is shown as it is
// rather than guessed at.
import { ACR } from '@/lib/auth/assurance';
import { ACTIONS } from '@/lib/scopes/actions';
import { AUDIT_EVENTS, isAuditAction } from '@/lib/audit/events';
import { SCOPES } from '@/lib/scopes/scopes';

/** The words of registered APIs (issue 14), which only the server knows: scope and audience → words. */
export type RegisteredWords = { scopes: Record<string, string>; audiences: Record<string, string> };

/** "Read your reports" for `reports:read`; a registered API's scope in the words it registered. */
export function describeScope(scope: string, registered?: RegisteredWords): string {
  if (Object.hasOwn(SCOPES, scope)) return SCOPES[scope as keyof typeof SCOPES].description;
  return registered?.scopes[scope] ?? scope;
}

export function describeScopes(scopes: readonly string[], registered?: RegisteredWords): string[] {
  return scopes.map((scope) => describeScope(scope, registered));
}

/** "Initiate a payment" for `payments.initiate`; "Token issued" for `token.issue` (the audit catalog's words). */
export function describeAction(action: string): string {
  return isAuditAction(action) ? AUDIT_EVENTS[action].label : action;
}

/** The proof of identity a session or token carries (`acr`). */
export function describeAssurance(acr: string | null | undefined): string {
  if (acr === ACR.mfa) return 'password and a second factor';
  if (acr === ACR.phishingResistant) return 'password and a passkey';
  if (acr === ACR.password) return 'password';
  return acr ?? 'unknown';
}

// RFC 8176 authentication method reference values, as Leash records them.
const METHODS: Record<string, string> = { pwd: 'password', otp: 'authenticator app code', kba: 'recovery code', hwk: 'passkey', user: 'passkey' };

export function describeMethods(amr: readonly string[]): string {
  return [...new Set(amr.map((m) => METHODS[m] ?? m))].join(', ');
}

/** Where a token is good (its audience, RFC 8707): the workspace through the API or through MCP. */
export function describeAudience(resource: string, registered?: RegisteredWords): string {
  const name = registered?.audiences[resource];
  if (name) return name;
  const path = URL.canParse(resource) ? new URL(resource).pathname : resource;
  if (path === '/api' || path.startsWith('/api/')) return 'your workspace, through the Leash API';
  if (path === '/mcp' || path.startsWith('/mcp/')) return 'your workspace, through MCP tools';
  return resource;
}

export const DECISION_WORDS: Record<string, string> = {
  ALLOW: 'Allowed',
  DENY: 'Denied',
  STEP_UP: 'Second factor asked',
  APPROVAL: 'Approval asked',
};

export function describeDecision(decision: string): string {
  return DECISION_WORDS[decision] ?? decision;
}

const ALERT_KINDS: Record<string, string> = {
  denied_calls: 'Many refused calls',
  outside_time_window: 'Outside the allowed hours',
  token_flood: 'Too many token requests',
  step_up_failures: 'Failed identity checks',
  refresh_token_reuse: 'Refresh token used twice',
};

export function describeAlertKind(kind: string): string {
  if (kind.startsWith('first_use:')) return `First use of “${describeScope(kind.slice('first_use:'.length))}”`;
  if (kind.startsWith('credential_leaked:')) return 'Credential found in public';
  return ALERT_KINDS[kind] ?? kind;
}

/**
 * The agents of an RFC 8693 `act` claim, the current actor first, then the earlier ones
 * (§4.1: a nested `act` is a prior actor). Client ids; an unreadable claim gives none.
 */
export function actorChain(actor: unknown): string[] {
  const chain: string[] = [];
  let link = actor;
  while (link && typeof link === 'object' && chain.length < 10) {
    const sub = (link as { sub?: unknown }).sub;
    if (typeof sub !== 'string') break;
    chain.push(sub);
    link = (link as { act?: unknown }).act;
  }
  return chain;
}

/**
 * "Agent B acting for Agent A": the actors by name (current first), then the agent the person
 * gave access to, whose token was passed on. Names not known are shown as "another agent".
 */
export function describeDelegation(actors: readonly string[], onBehalfOf: string | null): string {
  const names = [...actors, onBehalfOf ?? 'another agent'];
  return names.join(' acting for ');
}

const CODES = [...Object.keys(SCOPES), ...Object.keys(ACTIONS)].sort((a, b) => b.length - a.length);
const CODE_PATTERN = new RegExp(`(?<![\\w.:-])(${CODES.map((c) => c.replace(/[.]/g, '\\.')).join('|')})(?![\\w:-]|\\.\\w)`, 'g');

/**
 * A decision's reason in words: the scope and action codes in it replaced by their words
 * ("missing scope (needs reports:read)" → "missing scope (needs “Read your reports”)"), and the
 * Cedar rule id a policy decision names left out ("policy v3 permit:reports.list: allowed by the
 * policy" → "policy version 3: allowed by the policy"); the full reason stays in the record.
 */
export function describeReason(reason: string): string {
  const ruled = /^policy v(\d+) \S+: (.*)$/s.exec(reason);
  const text = ruled ? `policy version ${ruled[1]}: ${ruled[2]}` : reason.replace(/^policy v(\d+):/, 'policy version $1:');
  return text.replace(CODE_PATTERN, (code) => `“${Object.hasOwn(SCOPES, code) ? describeScope(code) : describeAction(code)}”`);
}
