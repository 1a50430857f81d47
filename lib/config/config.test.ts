import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

const dirs: string[] = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-config-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('parseConfig', () => {
  it('has documented defaults: port 3000, issuer on localhost, data in .leash/', () => {
    const cwd = tempDir();
    const config = parseConfig({}, cwd);
    expect(config.port).toBe(3000);
    expect(config.issuer).toBe('http://localhost:3000');
    expect(config.secure).toBe(false);
    expect(config.dataDir).toBe(path.join(cwd, '.leash'));
    expect(config.databaseUrl).toBeUndefined();
    expect(config.demo).toBe(true);
    expect(config.trustedProxies).toBe(0);
    expect(config.sessionMaxAge).toBe(28800);
    expect(config.signIn).toEqual({ accountLimit: 5, ipLimit: 20, windowSeconds: 900 });
    expect(config.signUpIpLimit).toBe(10);
    expect(config.embeddedDb.port).toBe(54329);
  });

  it("accepts Cursor's private-use scheme by default; LEASH_NATIVE_SCHEMES= turns it off; web schemes are refused", () => {
    const cwd = tempDir();
    expect(parseConfig({}, cwd).nativeSchemes).toEqual(['cursor']);
    expect(parseConfig({ LEASH_NATIVE_SCHEMES: '' }, cwd).nativeSchemes).toEqual([]);
    expect(parseConfig({ LEASH_NATIVE_SCHEMES: 'cursor, windsurf' }, cwd).nativeSchemes).toEqual(['cursor', 'windsurf']);
    for (const bad of ['https', 'javascript', 'Cursor', 'cur sor', 'file,cursor']) {
      expect(() => parseConfig({ LEASH_NATIVE_SCHEMES: bad }, cwd), bad).toThrow(/LEASH_NATIVE_SCHEMES/);
    }
  });

  it('derives the default issuer from PORT and normalises a given one', () => {
    const cwd = tempDir();
    expect(parseConfig({ PORT: '4000' }, cwd).issuer).toBe('http://localhost:4000');
    expect(parseConfig({ LEASH_ISSUER: 'https://auth.example.com/' }, cwd).issuer).toBe('https://auth.example.com');
    expect(parseConfig({ LEASH_ISSUER: 'https://example.com/leash' }, cwd).issuer).toBe('https://example.com/leash');
    expect(parseConfig({ LEASH_ISSUER: 'https://auth.example.com' }, cwd).secure).toBe(true);
  });

  it.each([
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LEASH_ISSUER: 'http://auth.example.com' }, 'LEASH_ISSUER: must be https'],
    [{ LEASH_ISSUER: 'https://auth.example.com/?a=1' }, 'LEASH_ISSUER: must not have a query'],
    [{ LEASH_ISSUER: 'not a url' }, 'LEASH_ISSUER: not a URL'],
    [{ LEASH_SESSION_SECRET: 'too-short' }, 'LEASH_SESSION_SECRET'],
    [{ LEASH_ENCRYPTION_KEY: 'AAAA' }, 'LEASH_ENCRYPTION_KEY'],
    [{ LEASH_DEMO: 'maybe' }, 'LEASH_DEMO'],
    [{ LEASH_CHECK_RESPONSES: 'sometimes' }, 'LEASH_CHECK_RESPONSES'],
  ])('rejects %o with a message naming the option', (env, message) => {
    expect(() => parseConfig(env, tempDir())).toThrow(ConfigError);
    expect(() => parseConfig(env, tempDir())).toThrow(message);
  });

  it('checks API answers against their schemas except in production, unless told otherwise', () => {
    expect(parseConfig({}, tempDir()).checkResponses).toBe(true);
    expect(parseConfig({ NODE_ENV: 'development' }, tempDir()).checkResponses).toBe(true);
    expect(parseConfig({ NODE_ENV: 'production' }, tempDir()).checkResponses).toBe(false);
    expect(parseConfig({ NODE_ENV: 'production', LEASH_CHECK_RESPONSES: '1' }, tempDir()).checkResponses).toBe(true);
    expect(parseConfig({ NODE_ENV: 'development', LEASH_CHECK_RESPONSES: '0' }, tempDir()).checkResponses).toBe(false);
  });

  it('keeps /metrics off the public port unless configured: its own listener on 127.0.0.1, or a token of 32+ characters', () => {
    const cwd = tempDir();
    expect(parseConfig({}, cwd).metrics).toEqual({ port: null, host: '127.0.0.1', token: null });
    const token = 'm'.repeat(32);
    expect(parseConfig({ LEASH_METRICS_PORT: '9464', LEASH_METRICS_HOST: '0.0.0.0', LEASH_METRICS_TOKEN: token }, cwd).metrics).toEqual({ port: 9464, host: '0.0.0.0', token });
    expect(() => parseConfig({ LEASH_METRICS_TOKEN: 'short' }, cwd)).toThrow(/LEASH_METRICS_TOKEN: must be at least 32 characters/);
    expect(() => parseConfig({ LEASH_METRICS_PORT: '70000' }, cwd)).toThrow(/LEASH_METRICS_PORT/);
    expect(() => parseConfig({ PORT: '3000', LEASH_METRICS_PORT: '3000' }, cwd)).toThrow(/LEASH_METRICS_PORT: must differ from PORT/);
  });

  it("reads secret scanning reports' keys from GitHub by default; another https URL, or http on loopback only", () => {
    const cwd = tempDir();
    expect(parseConfig({}, cwd).secretScanning).toEqual({ keysUrl: 'https://api.github.com/meta/public_keys/secret_scanning', perIpPerMinute: 60 });
    expect(parseConfig({ LEASH_SECRET_SCANNING_KEYS_URL: 'http://127.0.0.1:4000/keys', LEASH_SECRET_SCANNING_IP_LIMIT: '0' }, cwd).secretScanning).toEqual({
      keysUrl: 'http://127.0.0.1:4000/keys',
      perIpPerMinute: 1,
    });
    expect(() => parseConfig({ LEASH_SECRET_SCANNING_KEYS_URL: 'http://keys.example/keys' }, cwd)).toThrow(/LEASH_SECRET_SCANNING_KEYS_URL: must be https/);
    expect(() => parseConfig({ LEASH_SECRET_SCANNING_KEYS_URL: 'keys' }, cwd)).toThrow(/LEASH_SECRET_SCANNING_KEYS_URL: not a URL/);
  });

  it('clamps tunables to their documented ranges', () => {
    const config = parseConfig({ LEASH_SESSION_MAX_AGE: '5', LEASH_SIGNIN_ACCOUNT_LIMIT: '1000', LEASH_SIGNIN_WINDOW: '999999' }, tempDir());
    expect(config.sessionMaxAge).toBe(300);
    expect(config.signIn.accountLimit).toBe(100);
    expect(config.signIn.windowSeconds).toBe(86400);
  });

  it('treats empty values as unset and LEASH_DEMO=0 as off', () => {
    const config = parseConfig({ PORT: '', DATABASE_URL: '', LEASH_DEMO: '0' }, tempDir());
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.demo).toBe(false);
  });

  it('generates secrets on first start, keeps them private, and reuses them', () => {
    const cwd = tempDir();
    const first = parseConfig({}, cwd);
    const file = path.join(cwd, '.leash', 'secrets.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(43);
    expect(first.encryptionKey).toHaveLength(32);
    const second = parseConfig({}, cwd);
    expect(second.sessionSecret).toBe(first.sessionSecret);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(second.embeddedDb.password).toBe(first.embeddedDb.password);
  });

  it('prefers secrets given in the environment', () => {
    const key = Buffer.alloc(32, 7).toString('base64url');
    const config = parseConfig({ LEASH_SESSION_SECRET: 'x'.repeat(40), LEASH_ENCRYPTION_KEY: key }, tempDir());
    expect(config.sessionSecret).toBe('x'.repeat(40));
    expect(config.encryptionKey.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('refuses a damaged secrets file instead of silently replacing it', () => {
    const cwd = tempDir();
    fs.mkdirSync(path.join(cwd, '.leash'));
    fs.writeFileSync(path.join(cwd, '.leash', 'secrets.json'), '{"sessionSecret":"short"}');
    expect(() => parseConfig({}, cwd)).toThrow(/secrets\.json is damaged/);
  });
});
