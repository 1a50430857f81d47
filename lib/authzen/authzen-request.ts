// The requests of the OpenID AuthZEN Authorization API 1.0 (https://openid.net/specs/authorization-api-1_0.html),
// read into the evaluations Leash decides. Pure: no database, no HTTP (lib/endpoints/authzen.ts is
// the edge). The information model is §5 (Subject §5.1, Resource §5.2, Action §5.3, Context §5.4);
// the single request §6.1; the batch §7.1 with its defaults (§7.1.1) and options (§7.1.2).
// §10.1.1: an omitted required attribute is "Bad Request"; unknown fields are ignored (zod's
// default for objects drops them), and so is the order of members.
import { z } from 'zod';
import { SENSITIVITY } from '@/lib/scopes/actions';

/** Boxcarring is bounded (§11.7: protect against payload size and request counts). */
export const MAX_EVALUATIONS = 100;
/** The largest body read (bytes); more is refused before parsing. */
export const MAX_BODY_BYTES = 256 * 1024;

const properties = z.record(z.string(), z.unknown());
const str = (max: number) => z.string().min(1).max(max);

/** §5.1 Subject: `type` and `id` REQUIRED strings, `properties` an OPTIONAL object. */
const subjectSchema = z.object({ type: str(100), id: str(4096), properties: properties.optional() });
/** §5.2 Resource: the same shape. */
const resourceSchema = z.object({ type: str(200), id: str(1000), properties: properties.optional() });
/** §5.3 Action: `name` REQUIRED, `properties` OPTIONAL. */
const actionSchema = z.object({ name: str(100), properties: properties.optional() });

/**
 * §5.4 Context: any object. The attributes an agent's policy understands (lib/policy) are checked
 * here, so a malformed one is a Bad Request rather than a silent "no amount": `time` (RFC 3339,
 * seconds optional as in the spec's examples), `ip`, `amount` (major units: 12.5 or "12.50"),
 * `currency` (ISO 4217), `dataset`, `sensitivity`.
 */
const contextSchema = z.looseObject({
  time: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i, 'an RFC 3339 date-time such as 2026-11-24T10:30:00Z')
    .refine((t) => !Number.isNaN(Date.parse(t)), 'an RFC 3339 date-time such as 2026-11-24T10:30:00Z')
    .optional(),
  ip: z
    .string()
    .max(45)
    .regex(/^[0-9A-Fa-f:.]+$/, 'an IPv4 or IPv6 address')
    .optional(),
  amount: z
    .union([z.number().nonnegative().max(999_999_999.99), z.string().regex(/^\d{1,9}(\.\d{1,2})?$/)])
    .refine((a) => typeof a === 'string' || Math.abs(a * 100 - Math.round(a * 100)) < 1e-6, 'at most two decimals')
    .optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'a three-letter currency code such as EUR')
    .optional(),
  dataset: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, _ . -')
    .optional(),
  sensitivity: z.enum(SENSITIVITY).optional(),
});

const evaluationParts = { subject: subjectSchema, action: actionSchema, resource: resourceSchema, context: contextSchema };

/** §6.1: the single evaluation (`context` OPTIONAL). */
const evaluationSchema = z.object({ ...evaluationParts, context: contextSchema.optional() });

/** §7.1: every key may be a default for `evaluations`; `options.evaluations_semantic` (§7.1.2.1). */
const evaluationsSchema = z.object({
  subject: subjectSchema.optional(),
  action: actionSchema.optional(),
  resource: resourceSchema.optional(),
  context: contextSchema.optional(),
  evaluations: z
    .array(z.object({ subject: subjectSchema.optional(), action: actionSchema.optional(), resource: resourceSchema.optional(), context: contextSchema.optional() }))
    .max(MAX_EVALUATIONS, `at most ${MAX_EVALUATIONS} evaluations in one request`)
    .optional(),
  options: z.looseObject({ evaluations_semantic: z.enum(['execute_all', 'deny_on_first_deny', 'permit_on_first_permit']).optional() }).optional(),
});

export type AuthzenSubject = z.infer<typeof subjectSchema>;
export type AuthzenResource = z.infer<typeof resourceSchema>;
export type AuthzenAction = z.infer<typeof actionSchema>;
export type AuthzenContext = z.infer<typeof contextSchema>;
export type Evaluation = { subject: AuthzenSubject; action: AuthzenAction; resource: AuthzenResource; context: AuthzenContext };
export type EvaluationsSemantic = 'execute_all' | 'deny_on_first_deny' | 'permit_on_first_permit';

/** A request read: its evaluations; `batch` false when the answer is one Decision (§6.2, or §7.1 without `evaluations`). */
export type ParsedRequest = { evaluations: Evaluation[]; semantic: EvaluationsSemantic; batch: boolean };
export type ParseResult = { ok: true; request: ParsedRequest } | { ok: false; message: string };

function problem(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.join('.');
  return `${where ? `${where}: ` : ''}${issue.message}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** POST /access/v1/evaluation (§6.1). */
export function parseEvaluationRequest(body: unknown): ParseResult {
  // §10.1.1: the top-level element MUST be a JSON object.
  if (!isObject(body)) return { ok: false, message: 'The request body must be a JSON object.' };
  const parsed = evaluationSchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: problem(parsed.error) };
  const { subject, action, resource, context = {} } = parsed.data;
  return { ok: true, request: { evaluations: [{ subject, action, resource, context }], semantic: 'execute_all', batch: false } };
}

/** POST /access/v1/evaluations (§7.1). */
export function parseEvaluationsRequest(body: unknown): ParseResult {
  if (!isObject(body)) return { ok: false, message: 'The request body must be a JSON object.' };
  const parsed = evaluationsSchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: problem(parsed.error) };
  const { evaluations = [], options, ...defaults } = parsed.data;
  // §7.1: without `evaluations` (or with an empty array) the request is a single evaluation.
  if (!evaluations.length) {
    const single = parseEvaluationRequest(body);
    return single.ok ? { ok: true, request: { ...single.request, semantic: options?.evaluations_semantic ?? 'execute_all' } } : single;
  }
  const merged: Evaluation[] = [];
  for (const [index, item] of evaluations.entries()) {
    // §7.1.1: a key in the evaluation overrides the top-level default (as a whole, not merged);
    // subject, action and resource MUST then be present one way or the other.
    const subject = item.subject ?? defaults.subject;
    const action = item.action ?? defaults.action;
    const resource = item.resource ?? defaults.resource;
    const missing = !subject ? 'subject' : !action ? 'action' : !resource ? 'resource' : null;
    if (missing || !subject || !action || !resource) return { ok: false, message: `evaluations.${index}.${missing}: required (in the evaluation or as a top-level default)` };
    merged.push({ subject, action, resource, context: item.context ?? defaults.context ?? {} });
  }
  // §7.1.2.1: execute_all is the default semantic.
  return { ok: true, request: { evaluations: merged, semantic: options?.evaluations_semantic ?? 'execute_all', batch: true } };
}

/** The amount of a context as a decimal string in major units ("12.50"), as the simulator takes it. */
export function contextAmount(context: AuthzenContext): string | undefined {
  if (context.amount === undefined) return undefined;
  return typeof context.amount === 'string' ? context.amount : context.amount.toFixed(2);
}
