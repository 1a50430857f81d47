// The actions a registered protected resource declares (issue 14 §3: "A registered resource can
// declare its actions (name, scope, risk tier)"), as the per-agent policy sees them beside Leash's
// own (lib/scopes/actions.ts). Pure: the callers that may read the registry
// (lib/protected-resources) pass them in, so lib/policy never imports it (the registry's folder
// imports lib/oauth, which imports lib/policy: a cycle).
//
// Free of server imports: the policy editor (a client component) reads it too.
//
// A declared action is a Cedar action whose id is `<resource identifier>#<name>`: an identifier is
// a URL and never contains `#` unescaped as a fragment is not allowed in it (RFC 8707 §2), and
// Leash's own action names contain no `#`, so the two vocabularies cannot collide.
import type { RiskTier } from '@/lib/scopes/actions';

export type DeclaredRisk = 'low' | 'medium' | 'high';

export type DeclaredAction = {
  /** The resource's identifier (the token audience, RFC 8707). */
  resource: string;
  /** The resource's display name. */
  resourceName: string;
  name: string;
  scope: string;
  risk: DeclaredRisk;
  description: string;
};

/** The shape the registry hands out (lib/protected-resources/registry.ts), reduced to what policies need. */
export type ResourceWithActions = { identifier: string; name: string; builtIn: boolean; actions: { name: string; scope: string; risk: DeclaredRisk; description: string }[] };

/** Every action the registered resources declare (Leash's own built-in resources declare none). */
export function declaredActionsOf(resources: readonly ResourceWithActions[]): DeclaredAction[] {
  return resources
    .filter((r) => !r.builtIn)
    .flatMap((r) => r.actions.map((a) => ({ resource: r.identifier, resourceName: r.name, name: a.name, scope: a.scope, risk: a.risk, description: a.description })));
}

/** The Cedar action id of a declared action. */
export function declaredActionId(resource: string, name: string): string {
  return `${resource}#${name}`;
}

/**
 * A new agent's tier for a declared action, by the risk its resource gave it: the same defaults
 * as Leash's own actions (PRODUCT.md: low-risk reads allowed, writes notify, high-risk actions
 * need the person: here, their approval).
 */
export function defaultTierOf(risk: DeclaredRisk): RiskTier {
  return risk === 'low' ? 'allow' : risk === 'medium' ? 'notify' : 'approval';
}

/** The tier a policy document gives a declared action (its own choice, else the default for its risk). */
export function declaredTier(resourceActions: Record<string, Record<string, RiskTier>> | undefined, action: DeclaredAction): RiskTier {
  return resourceActions?.[action.resource]?.[action.name] ?? defaultTierOf(action.risk);
}
