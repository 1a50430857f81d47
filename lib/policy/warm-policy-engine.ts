// Warms the policy engine when a server starts, before it takes requests. Cedar runs as
// WebAssembly: V8 first compiles each function with its baseline compiler and optimizes the ones
// that get used often, so the first policy versions an instance decides took several times as
// long as later ones (issue 16 §2: a new instance's first deny took 100–200 ms, and the next few
// policy changes 25–60 ms against 10–20 ms after). Deciding a few policy documents with every
// rule kind, for every action, gets that done before the first agent waits for it.
// Nothing is read or written: the documents are built here, and their cache keys are the least
// recently used, so their slots are the first reused (lib/policy/evaluate-policy.ts).
import { compilePolicy } from '@/lib/policy/compile-policy';
import { evaluatePolicy } from '@/lib/policy/evaluate-policy';
import { defaultPolicyDocument, policyDocumentSchema, type PolicyDocument } from '@/lib/policy/policy-document';
import { ACTION_NAMES, ACTIONS } from '@/lib/scopes/actions';

/** Policy versions decided; measured with `npm run bench` ("policy change between instances"). */
const ROUNDS = 2;

/** Documents that use every kind of rule the compiler writes. */
function documents(): PolicyDocument[] {
  const base = defaultPolicyDocument();
  return [
    base,
    { ...base, actions: { ...base.actions, 'datasets.list': 'deny' } },
    {
      ...base,
      resources: { datasets: ['ds_sales'], maxSensitivity: 'internal' },
      paymentLimit: { currency: 'EUR', amountMinor: 10_000 },
      timeWindows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }],
      timeZone: 'Europe/Paris',
      ipRanges: ['10.0.0.0/8', '2001:db8::/32'],
    },
  ];
}

/** Decides every action under a few policy versions; returns how long it took, in milliseconds. */
export function warmPolicyEngine(): number {
  const started = performance.now();
  const now = new Date();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, document] of documents().entries()) {
      const compiled = compilePolicy(policyDocumentSchema.parse(document));
      for (const action of ACTION_NAMES) {
        evaluatePolicy(compiled, `warm-up-${round}-${index}`, {
          agentId: 'warm-up',
          action,
          resource: { id: 'ds_sales', kind: ACTIONS[action].kind, dataset: 'ds_sales', sensitivity: 'internal' },
          scopes: [ACTIONS[action].scope],
          now,
          timeZone: 'UTC',
          ip: round % 2 ? '10.1.2.3' : '2001:db8::1',
          payment: ACTIONS[action].kind === 'payment' ? { currency: 'EUR', amountMinor: 500 * round } : undefined,
          acr: null,
          jit: false,
        });
      }
    }
  }
  return performance.now() - started;
}
