// POST /api/secret-scanning/github: GitHub's secret scanning partner program (docs/secret-scanning.md).
// GitHub posts `[{ token, type, url, source }]` signed with ECDSA P-256 / SHA-256 over the raw
// body (`Github-Public-Key-Identifier`, `Github-Public-Key-Signature`); Leash answers the feedback
// format `[{ token_hash, token_type, label }]` after acting on every Leash credential in it. In this
// order, each refusal changing nothing: the per-address limit (429), the media type (415), the
// size (413), the signature headers, the key and the signature (401, RFC 9110 §11.6.1 challenge),
// an unreachable key list (503), the body's shape (400), a report already received (409).
import 'server-only';
import { z } from 'zod';
import { ApiError, apiErrorResponse } from '@/lib/http/api-error';
import { clientIp } from '@/lib/http/client-ip';
import { BodyTooLargeError, readBodyBytes } from '@/lib/http/read-body';
import { limitReportsByIp } from '@/lib/secret-scanning/limit-reports';
import { reportLeakedCredentials, ReportReplayedError } from '@/lib/secret-scanning/report-leaked-credentials';
import { findScanningKey, ScanningKeysUnavailableError } from '@/lib/secret-scanning/scanning-keys';
import { readSignatureHeaders, signatureReplayId, verifyScanningSignature } from '@/lib/secret-scanning/scanning-signature';
import type { MachineRequest } from '@/lib/http/machine-request';

/** GitHub may send many matches at once; the fast path reads at most 1 MiB anyway. */
const MAX_BODY_BYTES = 1024 * 1024;
const CHALLENGE = { 'WWW-Authenticate': 'Github-Public-Key-Signature realm="leash"' };

const text = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((v) => v ?? '');
const reportSchema = z.array(z.looseObject({ token: z.string().min(1).max(1024), type: z.string().min(1).max(200), url: text(2048), source: text(100) })).max(5000);

const unauthenticated = (message: string) => new ApiError(401, 'unauthenticated', message, undefined, CHALLENGE);

export async function handleGithubSecretScanning(request: MachineRequest): Promise<Response> {
  try {
    const ip = clientIp(request.headers);
    limitReportsByIp(ip);
    if (!/^application\/json\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) throw new ApiError(415, 'unsupported_media_type', 'Send the report as application/json.');
    const body = await readBodyBytes(request, MAX_BODY_BYTES).catch((error: unknown) => {
      throw error instanceof BodyTooLargeError ? new ApiError(413, 'invalid_request', 'The report is larger than 1 MiB.') : error;
    });
    const signed = readSignatureHeaders(request.headers);
    if (!signed) throw unauthenticated('Github-Public-Key-Identifier and Github-Public-Key-Signature (base64) are required.');
    const replayId = signatureReplayId(signed.keyId, signed.signature);
    if (!replayId) throw unauthenticated('Github-Public-Key-Signature is not a DER-encoded ECDSA P-256 signature.');
    const key = await findScanningKey(signed.keyId).catch((error: unknown) => {
      if (!(error instanceof ScanningKeysUnavailableError)) throw error;
      throw new ApiError(503, 'temporarily_unavailable', 'The signing keys cannot be fetched right now, so nothing was changed. Try again later.', undefined, { 'Retry-After': '60' });
    });
    if (!key) throw unauthenticated('Github-Public-Key-Identifier names no published key.');
    if (!verifyScanningSignature(body, signed.signature, key)) throw unauthenticated('The signature does not match the body.');
    const findings = parseReport(body);
    const labels = await reportLeakedCredentials({ findings, replayId, ip }).catch((error: unknown) => {
      throw error instanceof ReportReplayedError ? new ApiError(409, 'conflict', 'This report (body and signature) was already received; nothing was changed.') : error;
    });
    return Response.json(labels, { status: 200, headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

function parseReport(body: Buffer) {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new ApiError(400, 'invalid_request', 'The body is not UTF-8 JSON.');
  }
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) throw new ApiError(400, 'invalid_request', 'The body must be an array of { token, type, url, source }.');
  return parsed.data.map(({ token, type, url, source }) => ({ token, type, url, source }));
}
