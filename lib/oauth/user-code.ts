// Device flow user codes (RFC 8628 §6.1): eight letters from 20 consonants (no vowels, so no words;
// no look-alikes), shown as BCDF-GHJK; typed in any case, with or without the dash. 20^8 ≈ 2.6e10
// codes against a per-user and per-address limit on wrong guesses.
import crypto from 'node:crypto';

const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

export function generateUserCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += ALPHABET[crypto.randomInt(ALPHABET.length)];
  return code;
}

/** What the user typed, as stored: letters of the alphabet only, upper-case; null if it cannot be a code. */
export function normalizeUserCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[^A-Z]/g, '');
  return code.length === 8 && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
