// The audit browser's JSON routes (issue 5), for the signed-in user's records (admins: all):
// - GET  /api/account/audit?agent&action&decision&from&to&q&before   one keyset page
// - GET  /api/account/audit/export?format=csv|jsonl&<same filters>   every matching record, streamed
// - GET  /api/account/audit/export?format=proof&agent&from&to         a self-verifying proof (lib/audit/audit-proof.ts)
// - POST /api/account/audit/verify                                    recompute the hash chain now
import 'server-only';
import type { CurrentUser } from '@/lib/auth/session';
import { ApiError } from '@/lib/http/api-error';
import { sessionRoute } from '@/lib/endpoints/session-route';
import { auditFilterSchema, searchAuditEvents, type AuditRecord, type AuditScope } from '@/lib/dashboard/search-audit-events';
import { verifyAuditChain } from '@/lib/audit/verify-audit-chain';
import { auditProofLines } from '@/lib/audit/audit-proof';

const noStore = { 'Cache-Control': 'no-store' };

const signIn = 'Sign in to read the audit log.';
const scope = (user: CurrentUser): AuditScope => ({ userId: user.id, role: user.role });

function filterFrom(request: Request) {
  const params = Object.fromEntries([...new URL(request.url).searchParams].filter(([key, value]) => key !== 'format' && value !== ''));
  const parsed = auditFilterSchema.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(400, 'invalid_request', `Invalid filter ${issue?.path.join('.')}: ${issue?.message}.`);
  }
  return parsed.data;
}

export const handleAuditSearch = sessionRoute({ signIn }, async ({ request, user }) => {
  const page = await searchAuditEvents(filterFrom(request), scope(user));
  return { events: page.events, next_before: page.nextBefore };
});

const CSV_COLUMNS = [
  'id',
  'createdAt',
  'userId',
  'agentId',
  'agentName',
  'action',
  'resource',
  'decision',
  'reason',
  'tokenId',
  'scopes',
  'intent',
  'ip',
  'requestId',
  'actor',
  'details',
  'prevHash',
  'hash',
] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(' ') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // RFC 4180 quoting; a leading = + - @ is neutralised so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const EXPORT_PAGE = 1000;

export const handleAuditExport = sessionRoute({ signIn }, async ({ request, user }) => {
  const who = scope(user);
  const format = new URL(request.url).searchParams.get('format') ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl' && format !== 'proof') throw new ApiError(400, 'invalid_request', 'format is csv, jsonl or proof.');
  const filter = filterFrom(request);
  if (format === 'proof') return proofResponse(filter, user);
  const encoder = new TextEncoder();
  const line = (record: AuditRecord) => (format === 'csv' ? `${CSV_COLUMNS.map((c) => csvCell(record[c])).join(',')}\r\n` : `${JSON.stringify(record)}\n`);
  let before = filter.before;
  let started = false;
  // Pulled page by page as the client reads: constant memory over any number of records.
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started && format === 'csv') controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(',')}\r\n`));
      started = true;
      const page = await searchAuditEvents({ ...filter, before }, who, EXPORT_PAGE);
      if (page.events.length) controller.enqueue(encoder.encode(page.events.map(line).join('')));
      if (!page.nextBefore) controller.close();
      else before = BigInt(page.nextBefore);
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return new Response(stream, {
    headers: {
      ...noStore,
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="leash-audit-${stamp}.${format}"`,
    },
  });
});

/** The proof covers the records of the user (an admin: everyone's), narrowed by agent and time only. */
function proofResponse(filter: ReturnType<typeof filterFrom>, user: CurrentUser): Response {
  if (filter.action || filter.decision || filter.q || filter.before) {
    throw new ApiError(400, 'invalid_request', 'A proof covers every record of a time range: filter it by agent, from and to only.');
  }
  const lines = auditProofLines({
    subject: user.role === 'ADMIN' ? 'all' : user.id,
    userId: user.role === 'ADMIN' ? null : user.id,
    agentId: filter.agent,
    from: filter.from ? new Date(filter.from) : undefined,
    to: filter.to ? new Date(filter.to) : undefined,
  });
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return new Response(stream, {
    headers: { ...noStore, 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Content-Disposition': `attachment; filename="leash-audit-proof-${stamp}.jsonl"` },
  });
}

export const handleAuditVerify = sessionRoute({ signIn }, async () => {
  const verdict = await verifyAuditChain();
  return verdict.ok
    ? { ok: true, checked: verdict.checked, chains: verdict.chains, checkpoints: verdict.checkpoints, last_id: verdict.lastId?.toString() ?? null }
    : { ok: false, checked: verdict.checked, broken_at: verdict.brokenAt.toString(), reason: verdict.reason, detail: verdict.detail };
});
