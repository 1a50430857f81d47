// The structured policy a user sets for one agent (issue 4): validated by zod here, compiled to
// Cedar by lib/policy/compile-policy.ts, edited by the dashboard later. Wire names camelCase, as
// it is our own document.
import { z } from 'zod';
import { ACTION_NAMES, ACTIONS, RISK_TIERS, SENSITIVITY, type ActionName } from '@/lib/scopes/actions';
import { isKnownScope, SUPPORTED_SCOPES } from '@/lib/scopes/scopes';

/** An IANA time zone this runtime knows (Intl is the authority), e.g. Europe/Paris. */
export const ianaTimeZone = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Europe/Paris');

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM, 24-hour');
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const cidr = z.string().refine((v) => {
  const [address, bits] = v.split('/');
  if (!address || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const isV4 = /^(\d{1,3}\.){3}\d{1,3}$/.test(address) && address.split('.').every((o) => Number(o) <= 255);
  const isV6 = address.includes(':') && /^[0-9a-fA-F:]+$/.test(address);
  return (isV4 && Number(bits) <= 32) || (isV6 && Number(bits) <= 128);
}, 'use CIDR notation, e.g. 10.0.0.0/8');

/** Bounds and default of `jitMinutes` (the editor's "Elevation window" field shows the same). */
export const JIT_MINUTES = { min: 5, max: 15, default: 10 } as const;

export const policyDocumentSchema = z.object({
  version: z.literal(1),
  /** The most the agent may ever hold, whatever it was granted. */
  scopeCeiling: z.array(z.enum(SUPPORTED_SCOPES as [string, ...string[]])).max(20),
  /** Per action: the risk tier, or deny. Actions left out keep their default tier. */
  actions: z.partialRecord(z.enum(ACTION_NAMES as [ActionName, ...ActionName[]]), z.enum(RISK_TIERS)),
  resources: z
    .object({
      /** Only these datasets (ids); empty or absent means any. */
      datasets: z
        .array(z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'dataset ids are letters, digits, _ . -'))
        .max(100)
        .optional(),
      maxSensitivity: z.enum(SENSITIVITY).optional(),
    })
    .default({}),
  /** Largest payment in minor units (cents) of `currency`. */
  paymentLimit: z.object({ currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code such as EUR'), amountMinor: z.number().int().min(0) }).optional(),
  /** When calls are allowed, in the user's time zone; absent means any time. */
  timeWindows: z
    .array(z.object({ days: z.array(z.enum(WEEKDAYS)).min(1), start: hhmm, end: hhmm }).refine((w) => w.start < w.end, 'start must be before end'))
    .max(14)
    .optional(),
  /** The IANA time zone the time windows are in; absent: the user's own (Settings). */
  timeZone: ianaTimeZone.optional(),
  /** Client addresses calls may come from; absent means any. */
  ipRanges: z.array(cidr).max(50).optional(),
  /**
   * Delegation (RFC 8693 `may_act`): the client_ids of other agents this agent may hand its
   * access to, through token exchange. Absent or empty: nobody may act for it.
   */
  mayAct: z.array(z.string().min(1).max(2000)).max(50).optional(),
  /** How long a just-in-time elevated token lives once the user approves it (5 to 15 minutes, default 10). */
  jitMinutes: z.number().int().min(JIT_MINUTES.min).max(JIT_MINUTES.max).optional(),
  rateLimit: z.object({ perMinute: z.number().int().min(1).max(1_000_000), perDay: z.number().int().min(1).max(10_000_000) }),
  tokens: z.object({
    accessTokenSeconds: z.number().int().min(60).max(3600),
    refreshAllowed: z.boolean(),
    refreshDays: z.number().int().min(1).max(30),
    dpopRequired: z.boolean(),
  }),
});

export type PolicyDocument = z.infer<typeof policyDocumentSchema>;

/** A new agent's policy: low-risk reads allowed, writes notify, high-risk actions need more. */
/**
 * Whether the policy's scope ceiling lets the agent hold `scope`. The ceiling is written over
 * Leash's own scopes; a registered API's scopes (issue 14) are bounded by the person's consent and
 * by the decisions on that API's declared actions, not by this list.
 */
export function withinScopeCeiling(document: Pick<PolicyDocument, 'scopeCeiling'>, scope: string): boolean {
  return !isKnownScope(scope) || document.scopeCeiling.includes(scope);
}

export function defaultPolicyDocument(): PolicyDocument {
  return {
    version: 1,
    scopeCeiling: [...SUPPORTED_SCOPES],
    actions: Object.fromEntries(ACTION_NAMES.map((a) => [a, ACTIONS[a].defaultTier])),
    resources: {},
    rateLimit: { perMinute: 600, perDay: 100_000 },
    tokens: { accessTokenSeconds: 600, refreshAllowed: true, refreshDays: 30, dpopRequired: false },
  };
}
