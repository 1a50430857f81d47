// Warms the policy engine when a server starts, before it takes requests. Cedar runs as
// WebAssembly, compiled on first use and optimized as it is used: in a fresh process its first
// decision took about 90 ms, and the next few policy versions longer than later ones (issue 16 §2:
// with the warm-up, a policy change reaching a second instance went from p99 36–44 ms to 17–30 ms
// in quick runs; most of a fresh instance's slow first deny was the alert rules, which a refusal
// no longer waits for). Deciding a few policy documents with every rule kind, for every action,
// does that compiling before the first agent waits for it.
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
  const warmUp = documents();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, document] of warmUp.entries()) {
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
