// Reads a request body as text with a byte limit that holds with or without Content-Length (a
// chunked body is measured as it arrives and reading stops at the limit), decoding strictly: a
// body that is not UTF-8 is refused rather than silently rewritten with U+FFFD (RFC 8259 §8.1 for
// JSON; RFC 6749 Appendix B for forms, whose percent-encoded octets are decoded later).
//
// Every handler reads its body here, never with request.text()/json()/formData(): the production
// server's fast path (server/fast-path.ts) has the body in hand already and hands it over with
// `attachBody` instead of wrapping it in a stream for the handler to read back (12 µs a request,
// issue 16 §5); the Request it builds has no body of its own. On Next's mount the stream is read.
import type { MachineRequest } from '@/lib/http/machine-request';

export class BodyTooLargeError extends Error {}

// On globalThis: the fast path and the Next bundle are two module instances in one process.
const holder = globalThis as typeof globalThis & { leashAttachedBodies?: WeakMap<MachineRequest, Buffer> };
const attached = (holder.leashAttachedBodies ??= new WeakMap<MachineRequest, Buffer>());

/** The body the server already read for this request (the fast path), given to readBodyBytes. */
export function attachBody(request: MachineRequest, body: Buffer): void {
  attached.set(request, body);
}
export class BodyNotUtf8Error extends Error {}

export async function readBodyText(request: MachineRequest, maxBytes: number): Promise<string> {
  const bytes = await readBodyBytes(request, maxBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BodyNotUtf8Error();
  }
}

/** The body's bytes exactly as sent (a signature over the raw body is checked on these), bounded. */
export async function readBodyBytes(request: MachineRequest, maxBytes: number): Promise<Buffer> {
  if (Number(request.headers.get('content-length') ?? '0') > maxBytes) throw new BodyTooLargeError();
  const given = attached.get(request);
  if (given) {
    if (given.length > maxBytes) throw new BodyTooLargeError();
    return given;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new BodyTooLargeError();
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks);
}
