// Opaque credentials (DECISIONS 5): 256 random bits in base62, a readable prefix naming the kind,
// and a CRC32 checksum so secret scanners can recognise a leaked Leash token without a lookup.
// Only the SHA-256 of a credential is ever stored (STYLE habit 7).
//   lsh_at_<43 base62 chars><6 base62 checksum>
import 'server-only';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { randomPoolBytes } from '@/lib/ids/random-pool';

export const TOKEN_PREFIX = {
  accessToken: 'lsh_at_',
  refreshToken: 'lsh_rt_',
  clientSecret: 'lsh_cs_',
  authorizationCode: 'lsh_ac_',
  registrationAccessToken: 'lsh_rat_',
  deviceCode: 'lsh_dc_',
  authReqId: 'lsh_ar_',
  passwordReset: 'lsh_pr_',
  /** An agent's API key (docs/api-keys.md): exchanged at the token endpoint, never accepted by an API. */
  apiKey: 'lsh_ak_',
} as const;

export type TokenPrefix = (typeof TOKEN_PREFIX)[keyof typeof TOKEN_PREFIX];

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43; // ceil(256 / log2(62))
const CHECKSUM_LENGTH = 6; // ceil(32 / log2(62))

// Eight digits at a time: 62^8 < 2^53, so one BigInt division splits off a chunk whose digits are
// worked out with plain numbers (a BigInt division per digit was most of a token's 6 µs).
const CHUNK_DIGITS = 8;
const CHUNK = 62n ** BigInt(CHUNK_DIGITS);

/** The last `width` base62 digits of `value`, most significant first (exported for its test). */
export function base62(value: bigint, width: number): string {
  let out = '';
  for (let remaining = width; remaining > 0; remaining -= CHUNK_DIGITS) {
    let chunk = Number(value % CHUNK);
    value /= CHUNK;
    let digits = '';
    for (let i = Math.min(CHUNK_DIGITS, remaining); i > 0; i--) {
      digits = ALPHABET[chunk % 62] + digits;
      chunk = Math.floor(chunk / 62);
    }
    out = digits + out;
  }
  return out;
}

function checksum(text: string): string {
  return base62(BigInt(zlib.crc32(text)), CHECKSUM_LENGTH);
}

export function mintToken(prefix: TokenPrefix): string {
  const body = base62(BigInt(`0x${randomPoolBytes(32).toString('hex')}`), BODY_LENGTH);
  return `${prefix}${body}${checksum(prefix + body)}`;
}

/** Well-formed and checksum-valid: a cheap filter before any database lookup. */
export function isWellFormedToken(token: string, prefix: TokenPrefix): boolean {
  if (token.length !== prefix.length + BODY_LENGTH + CHECKSUM_LENGTH || !token.startsWith(prefix)) return false;
  const body = token.slice(prefix.length, prefix.length + BODY_LENGTH);
  if (!/^[0-9A-Za-z]+$/.test(body)) return false;
  return token.slice(-CHECKSUM_LENGTH) === checksum(prefix + body);
}

export function hashToken(token: string): string {
  // The one-shot hash (Node 20.12+): no Hash object per call, 0.36 against 0.80 µs (issue 16 §5).
  return crypto.hash('sha256', token, 'hex');
}

/** Constant-time comparison of a presented secret with a stored SHA-256 hash. */
export function matchesHash(presented: string, storedHash: string | null): boolean {
  const a = Buffer.from(hashToken(presented), 'hex');
  const b = Buffer.from(storedHash ?? '0'.repeat(64), 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b) && storedHash !== null;
}
