// One push of a SET to a receiver (RFC 8935 §2.1: POST, `Content-Type: application/secevent+jwt`,
// `Accept: application/json`), through the outbound guard every URL a third party chose goes
// through (lib/http/safe-fetch.ts: https, public addresses only, no redirects, one deadline for
// the whole exchange; LEASH_SSF_ALLOWLIST origins may be http and loopback). What the answer means:
// - 2xx: delivered (§2.2 asks for 202; any success status is taken as one);
// - 400: the receiver refused this SET, saying why in `{ "err", "description" }` (§2.3, §2.4):
//   sending it again would be refused again, so it is not retried;
// - anything else, or no answer (refused, timed out, blocked): retried later (§2.5 leaves other
//   statuses to HTTP's meaning; a receiver that is down or overloaded is the common case).
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { safePost } from '@/lib/http/safe-fetch';
import { SET_TYP } from '@/lib/ssf/security-event-token';

/** Per attempt: the whole exchange, connection to last byte. */
export const PUSH_TIMEOUT_MS = 5_000;
const MAX_ANSWER_BYTES = 4_096;
const MAX_ERROR_CHARS = 300;

export type PushOutcome = { kind: 'delivered' | 'rejected' | 'retry'; status: number | null; error: string | null; durationMs: number };

export async function pushSecurityEventToken(options: { endpointUrl: string; authorization: string | null; set: string }): Promise<PushOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const headers: Record<string, string> = {
    'Content-Type': `application/${SET_TYP}`,
    Accept: 'application/json',
    'User-Agent': 'Leash-SSF/1',
    // SSF §6.1.1: the receiver's `authorization_header`, sent with every push.
    ...(options.authorization ? { Authorization: options.authorization } : {}),
  };
  try {
    const answer = await safePost(options.endpointUrl, options.set, headers, { timeoutMs: PUSH_TIMEOUT_MS, allowlist: getConfig().ssfAllowlist, maxBytes: MAX_ANSWER_BYTES });
    if (answer.status >= 200 && answer.status < 300) return { kind: 'delivered', status: answer.status, error: null, durationMs: elapsed() };
    if (answer.status === 400) return { kind: 'rejected', status: 400, error: refusalOf(answer.body), durationMs: elapsed() };
    return { kind: 'retry', status: answer.status, error: `the receiver answered ${answer.status}`, durationMs: elapsed() };
  } catch (error) {
    return { kind: 'retry', status: null, error: bounded((error as Error).message || String(error)), durationMs: elapsed() };
  }
}

/** RFC 8935 §2.3: `err` (one of §2.4's codes, or another) and an optional `description`. */
function refusalOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { err?: unknown; description?: unknown };
    if (typeof parsed.err === 'string') return bounded(typeof parsed.description === 'string' ? `${parsed.err}: ${parsed.description}` : parsed.err);
  } catch {
    // Not the JSON §2.3 describes: said so below.
  }
  return 'the receiver answered 400 without an RFC 8935 error';
}

function bounded(text: string): string {
  // The receiver's words are stored and shown to the admin: printable, and short.
  const clean = text.replace(/[^\x20-\x7E]/g, '?');
  return clean.length > MAX_ERROR_CHARS ? `${clean.slice(0, MAX_ERROR_CHARS - 3)}...` : clean;
}
