// Leash's credential formats, for finding leaked ones (docs/token-formats.md). Every Leash
// credential is a readable prefix naming its kind, 43 base62 characters (256 random bits) and a
// 6-character base62 CRC32 of prefix + body:
//   lsh_at_<43 base62 body><6 base62 checksum>
// The server mints them (lib/tokens/opaque-token.ts); this module only recognises them, in pure
// JavaScript (no node:zlib), so that it runs wherever the SDK does. The checksum is what tells a
// real token from a look-alike without asking the server: a random 49-character string after a
// Leash prefix passes it once in 2^32.

export const TOKEN_KINDS = {
  lsh_at_: { kind: 'access_token', label: 'Leash access token' },
  lsh_rt_: { kind: 'refresh_token', label: 'Leash refresh token' },
  lsh_cs_: { kind: 'client_secret', label: 'Leash client secret' },
  lsh_rat_: { kind: 'registration_access_token', label: 'Leash registration access token' },
  lsh_ac_: { kind: 'authorization_code', label: 'Leash authorization code' },
  lsh_dc_: { kind: 'device_code', label: 'Leash device code' },
  lsh_ar_: { kind: 'auth_req_id', label: 'Leash backchannel request id' },
  lsh_pr_: { kind: 'password_reset', label: 'Leash password reset secret' },
  lsh_ak_: { kind: 'api_key', label: 'Leash API key' },
} as const;

export type TokenPrefix = keyof typeof TOKEN_KINDS;
export type TokenKind = (typeof TOKEN_KINDS)[TokenPrefix]['kind'];

export const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const BODY_LENGTH = 43;
export const CHECKSUM_LENGTH = 6;

const PREFIX_NAMES = Object.keys(TOKEN_KINDS).map((p) => p.slice('lsh_'.length, -1));

/**
 * One pattern per kind and one for all, in the subset of syntax that JavaScript, Go's RE2
 * (gitleaks, trufflehog) and GitHub's scanner read alike. `\b` on both sides: a token glued to
 * more word characters (a longer string, another identifier) is not one.
 */
export function tokenPattern(prefix?: TokenPrefix): string {
  const kinds = prefix ? prefix.slice('lsh_'.length, -1) : `(?:${PREFIX_NAMES.join('|')})`;
  return `\\blsh_${kinds}_[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}\\b`;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, the one zlib and PNG use) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** `value` in base62, most significant digit first, zero-padded to `width`. */
export function base62(value: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** The 6-character checksum of prefix + body. */
export function tokenChecksum(prefixAndBody: string): string {
  return base62(crc32(prefixAndBody), CHECKSUM_LENGTH);
}

/** The prefix of a string shaped like a Leash credential, or null. */
export function prefixOf(token: string): TokenPrefix | null {
  const match = /^lsh_[a-z]{2,3}_/.exec(token);
  return match && Object.hasOwn(TOKEN_KINDS, match[0]) ? (match[0] as TokenPrefix) : null;
}

/** A Leash credential: a known prefix, the exact length, base62, and a matching checksum. */
export function isLeashToken(token: string): boolean {
  const prefix = prefixOf(token);
  if (!prefix || token.length !== prefix.length + BODY_LENGTH + CHECKSUM_LENGTH) return false;
  if (!/^[0-9A-Za-z]+$/.test(token.slice(prefix.length))) return false;
  return token.slice(-CHECKSUM_LENGTH) === tokenChecksum(token.slice(0, -CHECKSUM_LENGTH));
}

export type FoundToken = { token: string; prefix: TokenPrefix; kind: TokenKind; label: string; index: number };

/** Every Leash credential in `text`; look-alikes (right shape, wrong checksum) are counted apart. */
export function findLeashTokens(text: string): { tokens: FoundToken[]; lookAlikes: number } {
  const tokens: FoundToken[] = [];
  let lookAlikes = 0;
  for (const match of text.matchAll(new RegExp(tokenPattern(), 'g'))) {
    const token = match[0];
    if (!isLeashToken(token)) {
      lookAlikes++;
      continue;
    }
    const prefix = prefixOf(token)!;
    tokens.push({ token, prefix, ...TOKEN_KINDS[prefix], index: match.index });
  }
  return { tokens, lookAlikes };
}

/** Enough to recognise a token in a list, not enough to use it: the prefix, 4 characters, the last 4. */
export function maskToken(token: string): string {
  const prefix = prefixOf(token) ?? '';
  return `${prefix}${token.slice(prefix.length, prefix.length + 4)}…${token.slice(-4)}`;
}
