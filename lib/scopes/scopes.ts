// The scopes Leash's sample API knows (PRODUCT.md "Sample API scopes"), with the words the consent
// screen uses and their default risk. `implies` is the scope hierarchy (reports:write ⊃ reports:read).
export type ScopeRisk = 'low' | 'medium' | 'high';

export const SCOPES = {
  'datasets:read': { description: 'List and query your datasets', risk: 'low', implies: [] },
  'reports:read': { description: 'Read your reports', risk: 'low', implies: [] },
  'reports:write': { description: 'Create and update your reports', risk: 'medium', implies: ['reports:read'] },
  'workflows:trigger': { description: 'Start workflow runs', risk: 'high', implies: [] },
  'invoices:read': { description: 'Read your invoices', risk: 'low', implies: [] },
  'invoices:write': { description: 'Dispute or annotate your invoices', risk: 'high', implies: ['invoices:read'] },
  'payments:write': { description: 'Initiate payments', risk: 'high', implies: [] },
  offline_access: { description: 'Stay connected when you are away (refresh tokens)', risk: 'medium', implies: [] },
} as const satisfies Record<string, { description: string; risk: ScopeRisk; implies: readonly string[] }>;

export type Scope = keyof typeof SCOPES;

export const SUPPORTED_SCOPES = Object.keys(SCOPES) as Scope[];

export function isKnownScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

/** RFC 6749 §3.3: scope is a space-delimited list of case-sensitive strings. */
export function parseScope(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return [...new Set(raw.split(' ').filter(Boolean))];
}

export function formatScope(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}

/** The scopes a token effectively holds, with everything its scopes imply (reports:write ⊃ reports:read). */
export function expandScopes(scopes: readonly string[]): Set<string> {
  const held = new Set<string>();
  for (const scope of scopes) {
    held.add(scope);
    if (isKnownScope(scope)) for (const implied of SCOPES[scope].implies) held.add(implied);
  }
  return held;
}
