// The credential formats as scanners see them (docs/token-formats.md): the SDK's recogniser, the
// regular expressions in the docs and the ready rules for gitleaks and trufflehog
// (docs/scanners/), each against tokens the server really mints (lib/tokens/opaque-token.ts) and
// against look-alikes. Gitleaks and trufflehog are Go binaries that cannot be installed here; their
// rules use only syntax that Go's RE2 and JavaScript read alike (\b, classes, counted repeats).
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isWellFormedToken, mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import { crc32, findLeashTokens, isLeashToken, maskToken, tokenChecksum, tokenPattern, TOKEN_KINDS, type TokenPrefix } from './token-format';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const PREFIXES = Object.values(TOKEN_PREFIX) as TokenPrefix[];
const minted = (prefix: TokenPrefix, n = 50) => Array.from({ length: n }, () => mintToken(prefix));

function swapFirstDifferentNeighbours(token: string): string {
  const start = token.indexOf('_', 4) + 1;
  for (let i = start; i < token.length - 7; i++) if (token[i] !== token[i + 1]) return token.slice(0, i) + token[i + 1] + token[i] + token.slice(i + 2);
  throw new Error('no two different neighbours');
}

/** Look-alikes of a real token: each must not count. */
function lookAlikes(token: string): Record<string, string> {
  const i = token.length - 10;
  return {
    'one character changed': token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1),
    'checksum changed': token.slice(0, -1) + (token.endsWith('0') ? '1' : '0'),
    // CRC32 catches every error burst of up to 32 bits: one character, or two neighbours swapped.
    'two neighbours swapped': swapFirstDifferentNeighbours(token),
    'random 49 characters': token.slice(0, token.indexOf('_', 4) + 1) + 'x'.repeat(49),
  };
}

describe('the SDK recognises exactly the tokens the server mints', () => {
  it('knows every prefix the server has, and no other', () => {
    expect(Object.keys(TOKEN_KINDS).sort()).toEqual([...PREFIXES].sort());
  });

  it('computes the server’s CRC32 (zlib) and base62 checksum', () => {
    expect(crc32('')).toBe(0);
    expect(crc32('123456789')).toBe(0xcbf43926); // the CRC-32/ISO-HDLC check value
    // The worked example of docs/token-formats.md.
    expect(crc32('lsh_at_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg')).toBe(4241361646);
    expect(tokenChecksum('lsh_at_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg')).toBe('4d2Juo');
    expect(isWellFormedToken('lsh_at_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg4d2Juo', TOKEN_PREFIX.accessToken)).toBe(true);
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'token-formats.md'), 'utf8')).toContain('lsh_at_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg4d2Juo');
  });

  it.each(PREFIXES)('accepts every minted %s token and refuses its look-alikes', (prefix) => {
    for (const token of minted(prefix)) {
      expect(isLeashToken(token)).toBe(true);
      expect(new RegExp(`^${tokenPattern(prefix)}$`).test(token)).toBe(true);
      for (const [what, fake] of Object.entries(lookAlikes(token))) {
        expect(isLeashToken(fake), what).toBe(false);
        expect(isWellFormedToken(fake, prefix as (typeof TOKEN_PREFIX)[keyof typeof TOKEN_PREFIX]), what).toBe(false);
      }
    }
  });

  it('finds tokens in text, with their kind and position, and counts look-alikes apart', () => {
    const at = mintToken(TOKEN_PREFIX.accessToken);
    const rat = mintToken(TOKEN_PREFIX.registrationAccessToken);
    const fake = lookAlikes(mintToken(TOKEN_PREFIX.refreshToken))['one character changed']!;
    const text = `LEASH_TOKEN=${at}\n{"registration_access_token":"${rat}"}\nrefresh: ${fake}\n`;
    const { tokens, lookAlikes: ignored } = findLeashTokens(text);
    expect(tokens.map((t) => [t.token, t.kind, t.index])).toEqual([
      [at, 'access_token', 'LEASH_TOKEN='.length],
      [rat, 'registration_access_token', text.indexOf(rat)],
    ]);
    expect(ignored).toBe(1);
  });

  it('does not take a token glued to more word characters, or a shorter or longer one', () => {
    const token = mintToken(TOKEN_PREFIX.clientSecret);
    for (const text of [`x${token}`, `${token}0`, `${token}_`, token.slice(0, -1), `lsh_cs_${token.slice(8)}`, token.toUpperCase(), token.replace('lsh_cs_', 'lsh_zz_')]) {
      expect(findLeashTokens(text).tokens, text).toEqual([]);
    }
    for (const text of [`"${token}"`, `Bearer ${token}.`, `token=${token}&x=1`, `${token}\r\n`]) expect(findLeashTokens(text).tokens.map((t) => t.token)).toEqual([token]);
  });

  it('masks a token so that it can be recognised but not used', () => {
    const token = mintToken(TOKEN_PREFIX.refreshToken);
    const masked = maskToken(token);
    expect(masked).toBe(`lsh_rt_${token.slice(7, 11)}…${token.slice(-4)}`);
    expect(masked.length).toBeLessThan(20);
  });
});

type Rule = { name: string; keywords: string[]; regex: RegExp };

function gitleaksRules(): Rule[] {
  const config = parseToml(fs.readFileSync(path.join(ROOT, 'docs', 'scanners', 'gitleaks.toml'), 'utf8')) as {
    extend?: { useDefault?: boolean };
    rules: { id: string; description: string; regex: string; keywords: string[] }[];
  };
  expect(config.extend?.useDefault).toBe(true);
  return config.rules.map((r) => {
    expect(r.description).toMatch(/^Leash /);
    return { name: r.id, keywords: r.keywords, regex: new RegExp(r.regex, 'g') };
  });
}

function trufflehogRules(): Rule[] {
  const config = parseYaml(fs.readFileSync(path.join(ROOT, 'docs', 'scanners', 'trufflehog.yaml'), 'utf8')) as {
    detectors: { name: string; keywords: string[]; regex: Record<string, string> }[];
  };
  return config.detectors.map((d) => {
    // One named regex per detector: its whole match is the secret.
    expect(Object.keys(d.regex)).toEqual(['token']);
    return { name: d.name, keywords: d.keywords, regex: new RegExp(d.regex.token!, 'g') };
  });
}

describe.each([
  ['gitleaks', gitleaksRules],
  ['trufflehog', trufflehogRules],
])('the %s rules (docs/scanners/)', (_tool, load) => {
  it('have one rule per kind whose keyword is the prefix and whose pattern is the documented one', () => {
    const rules = load();
    expect(rules.map((r) => r.keywords.join()).sort()).toEqual([...PREFIXES].sort());
    for (const rule of rules) expect(rule.regex.source).toBe(tokenPattern(rule.keywords[0] as TokenPrefix));
    for (const rule of rules) expect(rule.name).toMatch(/^leash-[a-z-]+$/);
  });

  it('match each real token, in context, by exactly the rule of its kind', () => {
    const rules = load();
    for (const prefix of PREFIXES) {
      for (const token of minted(prefix, 20)) {
        const text = `const config = { secret: "${token}" } // ${prefix}\n`;
        const matches = rules.flatMap((r) => [...text.matchAll(r.regex)].map((m) => [r.keywords[0], m[0]]));
        expect(matches).toEqual([[prefix, token]]);
        // The keyword pre-filter both tools apply passes the token.
        expect(text.includes(prefix)).toBe(true);
      }
    }
  });

  it('miss look-alikes of the wrong shape (the checksum is for leash scan and the server)', () => {
    const rules = load();
    const token = mintToken(TOKEN_PREFIX.accessToken);
    for (const text of [`x${token}`, `${token}0`, token.slice(0, -1), token.toUpperCase(), token.replace('lsh_at_', 'lsh_xx_'), token.replace(/.$/, '-')]) {
      expect(
        rules.flatMap((r) => [...text.matchAll(r.regex)]),
        text,
      ).toEqual([]);
    }
  });
});

describe('the regular expression for all kinds', () => {
  it('is the one in docs/token-formats.md and matches every kind', () => {
    const all = tokenPattern();
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'token-formats.md'), 'utf8')).toContain(all);
    for (const prefix of PREFIXES) for (const token of minted(prefix, 5)) expect(new RegExp(`^${all}$`).test(token)).toBe(true);
  });
});
