// `leash scan`: real files in a temporary folder, real tokens minted as the server mints them,
// and the CLI itself run as a process (its output and exit status are its interface).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import { MAX_FILE_BYTES, runScan, scanPaths, ScanPathError } from './scan';
import { maskToken } from '../token-format';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'leash.mjs');

let dir: string;
let outside: string;
const at = mintToken(TOKEN_PREFIX.accessToken);
const rt = mintToken(TOKEN_PREFIX.refreshToken);
const cs = mintToken(TOKEN_PREFIX.clientSecret);
const hidden = mintToken(TOKEN_PREFIX.accessToken);
// A look-alike: one character of a real token changed, so its checksum fails.
const lookAlike = ((t) => t.slice(0, 20) + (t[20] === 'a' ? 'b' : 'a') + t.slice(21))(mintToken(TOKEN_PREFIX.refreshToken));

function write(relative: string, content: string | Buffer) {
  const file = path.join(dir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-scan-'));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-scan-outside-'));
  write('.env', `# the agent's settings\nLEASH_ISSUER=https://leash.example\nLEASH_TOKEN=${at}\n`);
  write('config/mcp.json', JSON.stringify({ servers: { leash: { headers: { Authorization: `Bearer ${rt}` } } } }, null, 2));
  write('src/client.ts', `export const secret = '${cs}'; export const fixture = '${lookAlike}';\n`);
  write('README.md', 'Tokens look like lsh_at_… and are never committed.\n');
  // Skipped: dependencies, git's own files, binaries, files that are too large.
  write('node_modules/pkg/index.js', `module.exports = '${hidden}';\n`);
  write('.git/objects/ab/cdef', hidden);
  write('assets/image.bin', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00]), Buffer.from(hidden)]));
  write('logs/huge.log', `${'x'.repeat(MAX_FILE_BYTES)}\n${hidden}\n`);
  // Not followed: a symbolic link to a folder elsewhere.
  fs.writeFileSync(path.join(outside, 'elsewhere.txt'), hidden);
  fs.symlinkSync(outside, path.join(dir, 'linked'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

describe('scanPaths', () => {
  it('finds the checksum-valid tokens with file, line and column, and skips what it should', async () => {
    const result = await scanPaths([dir]);
    expect(result.findings.map((f) => [path.relative(dir, f.file), f.line, f.column, f.kind, f.masked])).toEqual([
      ['.env', 3, 'LEASH_TOKEN='.length + 1, 'access_token', maskToken(at)],
      [
        'config/mcp.json',
        5,
        JSON.stringify({ servers: { leash: { headers: { Authorization: `Bearer ${rt}` } } } }, null, 2)
          .split('\n')[4]!
          .indexOf(rt) + 1,
        'refresh_token',
        maskToken(rt),
      ],
      ['src/client.ts', 1, "export const secret = '".length + 1, 'client_secret', maskToken(cs)],
    ]);
    expect(result.lookAlikes).toBe(1);
    expect(result.filesScanned).toBe(4);
    expect(result.skipped).toEqual({ large: 1, binary: 1, unreadable: 0 });
  });

  it('scans a single file given by name, and refuses a path that does not exist', async () => {
    expect((await scanPaths([path.join(dir, '.env')])).findings).toHaveLength(1);
    await expect(scanPaths([path.join(dir, 'missing')])).rejects.toBeInstanceOf(ScanPathError);
  });

  it('never prints a whole token', async () => {
    const lines: string[] = [];
    const code = await runScan([dir], { log: (l) => lines.push(l), error: (l) => lines.push(l) });
    expect(code).toBe(1);
    const printed = lines.join('\n');
    for (const token of [at, rt, cs]) expect(printed).not.toContain(token.slice(7, 20));
    expect(printed).toContain('3 Leash credentials found, 4 files scanned (skipped: 1 larger than 5 MiB, 1 binary); 1 look-alike with a wrong checksum ignored.');
  });
});

describe('leash scan (the command)', () => {
  const leash = (...args: string[]) => spawnSync(process.execPath, [BIN, 'scan', ...args], { encoding: 'utf8', timeout: 30_000 });

  it('prints file:line:column, the kind and the masked token, and exits 1', () => {
    const run = leash(dir);
    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      `${path.join(dir, '.env')}:3:13: Leash access token ${maskToken(at)}`,
      expect.stringMatching(new RegExp(`^${path.join(dir, 'config', 'mcp.json').replace(/[.]/g, '\\.')}:5:\\d+: Leash refresh token ${maskToken(rt).replace(/[…]/g, '.')}$`)),
      `${path.join(dir, 'src', 'client.ts')}:1:24: Leash client secret ${maskToken(cs)}`,
    ]);
    expect(run.stderr).toContain('3 Leash credentials found');
  });

  it('answers JSON with --json', () => {
    const run = leash('--json', path.join(dir, 'src'));
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([{ file: path.join(dir, 'src', 'client.ts'), line: 1, column: 24, kind: 'client_secret', token: maskToken(cs) }]);
  });

  it('exits 0 when only look-alikes and clean files are there', () => {
    const run = leash(path.join(dir, 'README.md'), path.join(dir, 'assets'));
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('No Leash credentials found');
  });

  it('exits 2 on a path that does not exist', () => {
    const run = leash(path.join(dir, 'missing'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no such file or directory');
  });
});
