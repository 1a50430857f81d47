import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialStore, defaultStorePaths } from './credential-store';
import { systemKeychain, type Keychain } from './keychain';
import type { LeashSession } from '../agent';

const session: LeashSession = {
  issuer: 'https://leash.example',
  resource: 'https://leash.example/api',
  clientId: 'client-1',
  metadata: { issuer: 'https://leash.example', token_endpoint: 'https://leash.example/oauth/token' },
  accessToken: 'lsh_at_secret',
  tokenType: 'DPoP',
  expiresAt: 1,
  refreshToken: 'lsh_rt_secret',
  scope: 'datasets:read',
};

const FILE_ONLY = { keychain: null };

/** A keychain in memory, standing for the OS one (macOS Keychain, Secret Service): what the store asks of it. */
class MemoryKeychain implements Keychain {
  readonly name = 'test keychain';
  readonly entries = new Map<string, string>();
  async get(account: string) {
    return this.entries.get(account) ?? null;
  }
  async set(account: string, secret: string) {
    this.entries.set(account, secret);
  }
  async delete(account: string) {
    this.entries.delete(account);
  }
}

/** A machine without a usable keychain: every call fails, as the Secret Service does with no D-Bus session. */
const brokenKeychain: Keychain = {
  name: 'Secret Service',
  get: () => Promise.reject(new Error('Platform failure: DBus error')),
  set: () => Promise.reject(new Error('Platform failure: DBus error')),
  delete: () => Promise.reject(new Error('Platform failure: DBus error')),
};

const roots: string[] = [];
function paths() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-store-'));
  roots.push(root);
  return { credentialsFile: path.join(root, 'config', 'credentials.enc'), keyFile: path.join(root, 'keys', 'credentials.key') };
}
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

describe('CredentialStore', () => {
  it('round-trips the session sealed with AES-GCM, both files 0600 in 0700 directories, no token in the clear', async () => {
    const store = new CredentialStore(paths(), {}, FILE_ONLY);
    const key = await store.createKey();
    await store.save(session);
    const loaded = await store.load();
    expect(loaded?.session).toEqual(session);
    expect(loaded?.dpop.thumbprint).toBe(key.thumbprint);
    expect(loaded?.dpop.keyPair.privateKey.extractable).toBe(false);
    for (const file of [store.paths.credentialsFile, store.paths.keyFile]) {
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    }
    expect(fs.readFileSync(store.paths.credentialsFile, 'utf8')).not.toContain('lsh_');
    await store.clear();
    expect(await store.load()).toBeNull();
  });

  it('refuses a copied file: without the key file, with another key, or changed', async () => {
    const original = new CredentialStore(paths(), {}, FILE_ONLY);
    await original.createKey();
    await original.save(session);
    const elsewhere = new CredentialStore(paths(), {}, FILE_ONLY);
    fs.mkdirSync(path.dirname(elsewhere.paths.credentialsFile), { recursive: true });
    fs.copyFileSync(original.paths.credentialsFile, elsewhere.paths.credentialsFile);
    await expect(elsewhere.load()).rejects.toMatchObject({ code: 'key_missing' });
    await elsewhere.createKey();
    await expect(elsewhere.load()).rejects.toMatchObject({ code: 'credentials_unreadable' });
    const sealed = JSON.parse(fs.readFileSync(original.paths.credentialsFile, 'utf8'));
    sealed.ct = `${sealed.ct.slice(0, -2)}${sealed.ct.endsWith('A') ? 'B' : 'A'}A`;
    fs.writeFileSync(original.paths.credentialsFile, JSON.stringify(sealed));
    await expect(original.load()).rejects.toMatchObject({ code: 'credentials_unreadable' });
  });

  it('takes the AES key from LEASH_CREDENTIALS_KEY when set: the key file then holds only the DPoP key', async () => {
    const where = paths();
    const env = { LEASH_CREDENTIALS_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url') };
    const store = new CredentialStore(where, env, FILE_ONLY);
    await store.createKey();
    await store.save(session);
    expect(Object.keys(JSON.parse(fs.readFileSync(where.keyFile, 'utf8'))).sort()).toEqual(['dpop', 'v']);
    expect((await store.load())?.session.refreshToken).toBe('lsh_rt_secret');
    await expect(new CredentialStore(where, {}, FILE_ONLY).load()).rejects.toMatchObject({ code: 'key_missing' });
    await expect(new CredentialStore(where, { LEASH_CREDENTIALS_KEY: 'c2hvcnQ' }, FILE_ONLY).load()).rejects.toMatchObject({ code: 'key_invalid' });
    const otherKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
    await expect(new CredentialStore(where, { LEASH_CREDENTIALS_KEY: otherKey }, FILE_ONLY).load()).rejects.toMatchObject({ code: 'credentials_unreadable' });
  });

  it('keeps the two files apart: defaults in two directories, one directory refused', () => {
    const defaults = defaultStorePaths({ HOME: '/home/a' });
    expect(path.dirname(defaults.credentialsFile)).not.toBe(path.dirname(defaults.keyFile));
    expect(defaultStorePaths({ LEASH_CONFIG_DIR: '/c', LEASH_KEY_DIR: '/k' })).toEqual({ credentialsFile: '/c/credentials.enc', keyFile: '/k/credentials.key' });
    expect(() => new CredentialStore({ credentialsFile: '/x/credentials.enc', keyFile: '/x/credentials.key' })).toThrow('another directory');
  });

  it('keeps the keys in the keychain when there is one: no key file, and the copied credentials file alone opens nowhere', async () => {
    const keychain = new MemoryKeychain();
    const store = new CredentialStore(paths(), {}, { keychain });
    const key = await store.createKey();
    await store.save(session);
    expect(fs.existsSync(store.paths.keyFile)).toBe(false);
    expect(store.keysLocation).toBe('test keychain');
    const [account, secret] = [...keychain.entries][0]!;
    expect(account).toBe(`credentials:${store.paths.credentialsFile}`);
    expect(Object.keys(JSON.parse(secret!)).sort()).toEqual(['aes', 'dpop', 'v']);
    const loaded = await new CredentialStore(store.paths, {}, { keychain }).load();
    expect(loaded?.session).toEqual(session);
    expect(loaded?.dpop.thumbprint).toBe(key.thumbprint);
    // The DPoP private key is not in the credentials file (sealed or not): it never leaves the keychain.
    expect(fs.readFileSync(store.paths.credentialsFile, 'utf8')).not.toContain(JSON.parse(secret!).dpop.d);

    const elsewhere = new CredentialStore(paths(), {}, { keychain: new MemoryKeychain() });
    fs.mkdirSync(path.dirname(elsewhere.paths.credentialsFile), { recursive: true });
    fs.copyFileSync(store.paths.credentialsFile, elsewhere.paths.credentialsFile);
    await expect(elsewhere.load()).rejects.toMatchObject({ code: 'key_missing' });

    await store.clear();
    expect(keychain.entries.size).toBe(0);
    expect(await store.load()).toBeNull();
  });

  it('falls back to the 0600 key file when the keychain fails (headless Linux: no Secret Service)', async () => {
    const store = new CredentialStore(paths(), {}, { keychain: brokenKeychain });
    await store.createKey();
    await store.save(session);
    expect(store.keysLocation).toBe(store.paths.keyFile);
    expect(fs.statSync(store.paths.keyFile).mode & 0o777).toBe(0o600);
    expect((await new CredentialStore(store.paths, {}, { keychain: brokenKeychain }).load())?.session).toEqual(session);
    await store.clear();
    expect(fs.existsSync(store.paths.keyFile)).toBe(false);
  });

  it('loads the system keychain binding (@napi-rs/keyring, prebuilt for this platform) unless LEASH_KEYCHAIN=0', async () => {
    const keychain = await systemKeychain();
    expect(keychain?.name).toBe(process.platform === 'darwin' ? 'macOS Keychain' : process.platform === 'win32' ? 'Windows Credential Manager' : 'Secret Service');
    const store = new CredentialStore(paths(), { LEASH_KEYCHAIN: '0' });
    await store.createKey();
    expect(store.keysLocation).toBe(store.paths.keyFile);
  });

  it('runs one refresh at a time across processes: withLock waits for the holder and hands over the session as stored then', async () => {
    const where = paths();
    const first = new CredentialStore(where, {}, FILE_ONLY);
    const second = new CredentialStore(where, {}, FILE_ONLY);
    await first.createKey();
    await first.save(session);
    const order: string[] = [];
    let release!: () => void;
    let entered!: () => void;
    const firstIn = new Promise<void>((resolve) => (entered = resolve));
    const holding = first.withLock(async (stored) => {
      order.push(`first sees ${stored?.refreshToken}`);
      const released = new Promise<void>((resolve) => (release = resolve));
      entered();
      await released;
      await first.save({ ...session, refreshToken: 'lsh_rt_rotated' });
      order.push('first rotated');
    });
    await firstIn;
    const waiting = second.withLock(async (stored) => {
      order.push(`second sees ${stored?.refreshToken}`);
    });
    // A few of the waiter's polls go by while the lock is held: it stays out.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(order).toEqual(['first sees lsh_rt_secret']);
    release();
    await Promise.all([holding, waiting]);
    expect(order).toEqual(['first sees lsh_rt_secret', 'first rotated', 'second sees lsh_rt_rotated']);
    expect(fs.existsSync(`${where.credentialsFile}.lock`)).toBe(false);
  });
});
