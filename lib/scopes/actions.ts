// The actions of the agents' API that a policy governs, the scope each needs, and its default risk
// tier for a new agent (PRODUCT.md: low-risk reads allowed, writes notify, high-risk actions need
// step-up or approval). Shared by the resource server, the policy compiler and the future editor.
// A leaf beside the scopes it names (it imports nothing): the audit catalog (lib/audit/events.ts)
// lists these actions, and lib/policy writes audit rows, so the vocabulary cannot live in lib/policy
// without a cycle between the two folders.
export const RISK_TIERS = ['allow', 'notify', 'step_up', 'approval', 'deny'] as const;
export type RiskTier = (typeof RISK_TIERS)[number];

export const ACTIONS = {
  'datasets.list': { scope: 'datasets:read', kind: 'dataset', defaultTier: 'allow', label: 'List datasets' },
  'datasets.query': { scope: 'datasets:read', kind: 'dataset', defaultTier: 'allow', label: 'Query a dataset' },
  'reports.list': { scope: 'reports:read', kind: 'report', defaultTier: 'allow', label: 'List reports' },
  'reports.read': { scope: 'reports:read', kind: 'report', defaultTier: 'allow', label: 'Read a report' },
  'reports.create': { scope: 'reports:write', kind: 'report', defaultTier: 'notify', label: 'Create a report' },
  'reports.update': { scope: 'reports:write', kind: 'report', defaultTier: 'notify', label: 'Update a report' },
  'workflows.list': { scope: 'workflows:trigger', kind: 'workflow', defaultTier: 'allow', label: 'List workflows' },
  'workflows.trigger': { scope: 'workflows:trigger', kind: 'workflow', defaultTier: 'approval', label: 'Start a workflow' },
  'invoices.list': { scope: 'invoices:read', kind: 'invoice', defaultTier: 'allow', label: 'List invoices' },
  'invoices.read': { scope: 'invoices:read', kind: 'invoice', defaultTier: 'allow', label: 'Read an invoice' },
  'invoices.dispute': { scope: 'invoices:write', kind: 'invoice', defaultTier: 'step_up', label: 'Dispute an invoice' },
  'payments.initiate': { scope: 'payments:write', kind: 'payment', defaultTier: 'approval', label: 'Initiate a payment', exactDetails: 'payment_initiation' },
} as const satisfies Record<string, { scope: string; kind: string; defaultTier: RiskTier; label: string; exactDetails?: string }>;

export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

/**
 * Actions with an amount or a recipient (`exactDetails`: the RFC 9396 type that names them) are
 * elevated only for one exact instance: never a scope-wide approval (no blank cheques).
 */
export function exactDetailsOf(action: ActionName): string | undefined {
  const spec: { scope: string; exactDetails?: string } = ACTIONS[action];
  return spec.exactDetails;
}

/** The action of the scope that needs exact details, and their RFC 9396 type. */
export function exactDetailsFor(scope: string): { action: ActionName; type: string } | undefined {
  const action = ACTION_NAMES.find((name) => ACTIONS[name].scope === scope && exactDetailsOf(name));
  return action && { action, type: exactDetailsOf(action)! };
}

/** The action an RFC 9396 authorization_details type names. */
export function actionOfDetailType(type: string): ActionName | undefined {
  return ACTION_NAMES.find((name) => exactDetailsOf(name) === type);
}

/** The actions a scope lets an agent take. */
export function actionsOfScope(scope: string): ActionName[] {
  return ACTION_NAMES.filter((name) => ACTIONS[name].scope === scope);
}

export const SENSITIVITY = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Sensitivity = (typeof SENSITIVITY)[number];
