// Leash as an OpenID AuthZEN Authorization API 1.0 Policy Decision Point (issue 14 §3;
// https://openid.net/specs/authorization-api-1_0.html, docs/authzen.md):
// - POST /access/v1/evaluation               one evaluation (§6)
// - POST /access/v1/evaluations              several, with defaults and evaluations_semantic (§7)
// - GET  /.well-known/authzen-configuration  the PDP's metadata (§9)
// The HTTPS JSON binding (§10.1): the PEP is a registered resource server authenticated with HTTP
// Basic (its client_id and secret, RFC 6749 §2.3.1); errors are the binding's status codes with
// an error message string as the body (§10.1.2: 400 malformed, 401 with WWW-Authenticate (§11.3),
// 403 forbidden, 500); a request's X-Request-ID is echoed on the answer (§10.1.3).
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { assertClockTrusted } from '@/lib/clock/trusted-clock';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { db } from '@/lib/db/client';
import { BodyNotUtf8Error, BodyTooLargeError, readBodyText } from '@/lib/http/read-body';
import { log } from '@/lib/log/logger';
import { OAuthError } from '@/lib/oauth/errors';
import { declaredActionsOf } from '@/lib/policy/declared-actions';
import { authenticateResourceServer } from '@/lib/oauth/clients/authenticate-resource-server';
import { listProtectedResources } from '@/lib/protected-resources/registry';
import { MAX_BODY_BYTES, parseEvaluationRequest, parseEvaluationsRequest, type ParseResult } from '@/lib/authzen/authzen-request';
import { runEvaluations } from '@/lib/authzen/run-evaluations';
import type { MachineRequest } from '@/lib/http/machine-request';

class AuthzenError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 413 | 500,
    message: string,
  ) {
    super(message);
  }
}

/** §10.1.3: the PEP's request identifier, echoed; absent: none is added beyond the server's own. */
function requestIdHeaders(request: MachineRequest): Record<string, string> {
  const id = request.headers.get('x-request-id');
  return id ? { 'X-Request-ID': id } : {};
}

/** §10.1.2: an HTTPS status and an error message string. */
function errorResponse(error: AuthzenError, request: MachineRequest): Response {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...requestIdHeaders(request) };
  // §11.3 (and RFC 9110 §11.6.1): a 401 names the scheme the PDP expects.
  if (error.status === 401) headers['WWW-Authenticate'] = `Basic realm="${getConfig().issuer}", charset="UTF-8"`;
  return new Response(error.message, { status: error.status, headers });
}

async function readJson(request: MachineRequest): Promise<unknown> {
  // §10.1: requests MUST carry Content-Type: application/json.
  const type = request.headers.get('content-type')?.split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new AuthzenError(400, 'The request must have Content-Type: application/json.');
  let text: string;
  try {
    text = await readBodyText(request, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new AuthzenError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    if (error instanceof BodyNotUtf8Error) throw new AuthzenError(400, 'The request body is not UTF-8 (RFC 8259 §8.1).');
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AuthzenError(400, 'The request body is not JSON.');
  }
}

function authzenEndpoint(parse: (body: unknown) => ParseResult) {
  return async (request: MachineRequest): Promise<Response> => {
    try {
      // Nothing is decided on a clock that jumped (the policy's time windows).
      const firstSample = assertClockTrusted();
      if (firstSample) await firstSample;
      const resource = await authenticateResourceServer(request).catch((error: unknown) => {
        if (error instanceof OAuthError && error.code === 'invalid_client') throw new AuthzenError(401, error.description);
        throw error;
      });
      const parsed = parse(await readJson(request));
      // Malformed: 400 and nothing evaluated or written (§10.1.1).
      if (!parsed.ok) throw new AuthzenError(400, `Invalid request: ${parsed.message}`);
      const declared = declaredActionsOf(await listProtectedResources());
      const results = await runEvaluations({ resource, declared, request: parsed.request, pepRequestId: request.headers.get('x-request-id') });
      // No decision leaves without its audit row (fail closed: a row that cannot be written is a
      // 500). One evaluation's row is group-committed like a read's; a batch's rows go in one
      // transaction, in the order of the evaluations.
      if (results.length === 1) await appendAuditEventGrouped(results[0]!.audit);
      else
        await db().$transaction(async (tx) => {
          for (const result of results) await appendAuditEvent(tx, result.audit);
        });
      const headers = { 'Cache-Control': 'no-store', ...requestIdHeaders(request) };
      if (!parsed.request.batch) {
        const [only] = results;
        // A single evaluation about another resource's action is refused as a whole (§10.1.2 403).
        if (only!.forbidden) throw new AuthzenError(403, (only!.context.error as { message: string }).message);
        return Response.json({ decision: only!.decision, context: only!.context }, { headers });
      }
      // §7.2: the decisions in request order (the short-circuiting semantics stop early).
      return Response.json({ evaluations: results.map((r) => ({ decision: r.decision, context: r.context })) }, { headers });
    } catch (error) {
      if (error instanceof AuthzenError) return errorResponse(error, request);
      log('authzen').error({ err: error }, 'access evaluation failed');
      return errorResponse(new AuthzenError(500, 'The decision could not be made.'), request);
    }
  };
}

export const handleAccessEvaluation = authzenEndpoint(parseEvaluationRequest);
export const handleAccessEvaluations = authzenEndpoint(parseEvaluationsRequest);

/** GET /.well-known/authzen-configuration (§9.2): the issuer is the PDP identifier (§9.1.1). */
export async function handleAuthzenConfiguration(): Promise<Response> {
  const { issuer } = getConfig();
  return Response.json(
    {
      policy_decision_point: issuer,
      access_evaluation_endpoint: `${issuer}/access/v1/evaluation`,
      access_evaluations_endpoint: `${issuer}/access/v1/evaluations`,
    },
    { headers: { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' } },
  );
}
