import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialStore, defaultStorePaths } from './credential-store';
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
    const store = new CredentialStore(paths(), {});
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
    const original = new CredentialStore(paths(), {});
    await original.createKey();
    await original.save(session);
    const elsewhere = new CredentialStore(paths(), {});
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
    const store = new CredentialStore(where, env);
    await store.createKey();
    await store.save(session);
    expect(Object.keys(JSON.parse(fs.readFileSync(where.keyFile, 'utf8'))).sort()).toEqual(['dpop', 'v']);
    expect((await store.load())?.session.refreshToken).toBe('lsh_rt_secret');
    await expect(new CredentialStore(where, {}).load()).rejects.toMatchObject({ code: 'key_missing' });
    await expect(new CredentialStore(where, { LEASH_CREDENTIALS_KEY: 'c2hvcnQ' }).load()).rejects.toMatchObject({ code: 'key_invalid' });
    const otherKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
    await expect(new CredentialStore(where, { LEASH_CREDENTIALS_KEY: otherKey }).load()).rejects.toMatchObject({ code: 'credentials_unreadable' });
  });

  it('keeps the two files apart: defaults in two directories, one directory refused', () => {
    const defaults = defaultStorePaths({ HOME: '/home/a' });
    expect(path.dirname(defaults.credentialsFile)).not.toBe(path.dirname(defaults.keyFile));
    expect(defaultStorePaths({ LEASH_CONFIG_DIR: '/c', LEASH_KEY_DIR: '/k' })).toEqual({ credentialsFile: '/c/credentials.enc', keyFile: '/k/credentials.key' });
    expect(() => new CredentialStore({ credentialsFile: '/x/credentials.enc', keyFile: '/x/credentials.key' })).toThrow('another directory');
  });
});
