// Random bytes from the CSPRNG, drawn 4,096 at a time and handed out in pieces, as Node's own
// randomUUID does: one `crypto.randomBytes` call per id or token cost 2 µs in a loop and 6–7 µs of a
// request under load (the call, and Next's process-wide wrapper around it; issue 16 §5). Every byte
// is handed out once, and zeroed in the pool as it goes.
import crypto from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let next = POOL_BYTES;

/** `size` (at most 4,096) fresh random bytes, copied into `target` at `offset`, or into a new Buffer. */
export function randomPoolBytes(size: number, target: Buffer = Buffer.allocUnsafe(size), offset = 0): Buffer {
  if (size > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} bytes at a time`);
  if (next + size > POOL_BYTES) {
    crypto.randomFillSync(pool);
    next = 0;
  }
  pool.copy(target, offset, next, next + size);
  pool.fill(0, next, next + size);
  next += size;
  return target;
}
