// Where the `leash` CLI keeps its session. Two parts, kept apart:
//   credentials file  $LEASH_CONFIG_DIR or $XDG_CONFIG_HOME/leash or ~/.config/leash, credentials.enc:
//                     the session (tokens, client id, server metadata) sealed with AES-256-GCM.
//   keys              the AES key (unless LEASH_CREDENTIALS_KEY gives it, base64url of 32 bytes) and the
//                     DPoP private key the tokens are bound to (RFC 9449), in the OS keychain when there
//                     is one (./keychain.ts), else in a key file in another directory:
//                     $LEASH_KEY_DIR or $XDG_DATA_HOME/leash or ~/.local/share/leash, credentials.key.
// Every file is 0600 in a 0700 directory. A copied credentials file alone cannot be opened; and even
// its plaintext is useless elsewhere: the refresh and access tokens are DPoP-bound, and the server
// refuses them without a proof made with the private key, which is never in that file.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LeashSession } from '../agent.js';
import { base64url, DpopKey } from '../dpop.js';
import { LeashError } from '../errors.js';
import { systemKeychain, type Keychain } from './keychain.js';

export type StorePaths = { credentialsFile: string; keyFile: string };

export class CredentialStoreError extends LeashError {}

export function defaultStorePaths(env: Record<string, string | undefined> = process.env): StorePaths {
  const home = os.homedir();
  const configDir = env.LEASH_CONFIG_DIR || path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'leash');
  const keyDir = env.LEASH_KEY_DIR || path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'leash');
  return { credentialsFile: path.join(configDir, 'credentials.enc'), keyFile: path.join(keyDir, 'credentials.key') };
}

type KeyFile = { v: 1; aes?: string; dpop: JsonWebKey };

export type StoreOptions = {
  /** The keychain to keep the keys in: default the system's (./keychain.ts) unless LEASH_KEYCHAIN=0; null for the key file only. */
  keychain?: Keychain | null;
};

/** A lock older than this was left by a process that died: taken over. */
const STALE_LOCK_MS = 30_000;
type SealedFile = { v: 1; alg: 'A256GCM'; iv: string; ct: string };

const AAD = new TextEncoder().encode('leash-cli-credentials-v1');

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** Writes a file only its owner can read, in a directory only its owner can list (atomic rename). */
async function writePrivate(file: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, content, { mode: 0o600 });
  await fs.chmod(temporary, 0o600);
  await fs.rename(temporary, file);
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export class CredentialStore {
  readonly #keychain: Promise<Keychain | null>;
  /** Where the keys were found or put: the keychain's name, or the key file. */
  #keysIn?: string;

  constructor(
    readonly paths: StorePaths = defaultStorePaths(),
    private readonly env: Record<string, string | undefined> = process.env,
    options: StoreOptions = {},
  ) {
    if (path.dirname(paths.credentialsFile) === path.dirname(paths.keyFile)) {
      throw new CredentialStoreError('store_misconfigured', 'The key file must live in another directory than the credentials file.');
    }
    this.#keychain = Promise.resolve(options.keychain !== undefined ? options.keychain : env.LEASH_KEYCHAIN === '0' ? null : systemKeychain());
  }

  /** The keychain entry of this store: one per credentials file, so two config directories never share keys. */
  get #account(): string {
    return `credentials:${path.resolve(this.paths.credentialsFile)}`;
  }

  /** Where the keys are: the keychain's name or the key file's path (after createKey or load). */
  get keysLocation(): string {
    return this.#keysIn ?? this.paths.keyFile;
  }

  /**
   * A new DPoP key for a new login: extractable once, to be stored with the AES key, then used
   * non-extractable. Into the keychain when it takes them (any old key file is removed), else into
   * the key file.
   */
  async createKey(): Promise<DpopKey> {
    const generated = await DpopKey.generate({ extractable: true });
    const jwk = await crypto.subtle.exportKey('jwk', generated.keyPair.privateKey);
    const envKey = this.#envKey();
    const keys: KeyFile = { v: 1, ...(envKey ? {} : { aes: base64url(crypto.getRandomValues(new Uint8Array(32))) }), dpop: jwk };
    const keychain = await this.#keychain;
    try {
      if (!keychain) throw new Error('no keychain');
      await keychain.set(this.#account, JSON.stringify(keys));
      await fs.rm(this.paths.keyFile, { force: true });
      this.#keysIn = keychain.name;
    } catch {
      await writePrivate(this.paths.keyFile, JSON.stringify(keys));
      this.#keysIn = this.paths.keyFile;
    }
    return DpopKey.fromPrivateJwk(jwk);
  }

  /**
   * Runs `fn` holding this store's lock (a lock file beside the credentials, created exclusively),
   * with the session as stored now. Every process that refreshes the shared session does so under
   * it (LeashAgent's `sharedSession`), so two never spend the same refresh token.
   */
  async withLock<T>(fn: (stored: LeashSession | null) => Promise<T>): Promise<T> {
    const lockFile = `${this.paths.credentialsFile}.lock`;
    await fs.mkdir(path.dirname(lockFile), { recursive: true, mode: 0o700 });
    for (;;) {
      try {
        await (await fs.open(lockFile, 'wx', 0o600)).close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const since = await fs.stat(lockFile).then(
          (stat) => Date.now() - stat.mtimeMs,
          () => 0,
        );
        if (since > STALE_LOCK_MS) await fs.rm(lockFile, { force: true });
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    try {
      return await fn((await this.load())?.session ?? null);
    } finally {
      await fs.rm(lockFile, { force: true });
    }
  }

  async save(session: LeashSession): Promise<void> {
    const key = await this.#aesKey(await this.#readKeys());
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: AAD }, key, new TextEncoder().encode(JSON.stringify(session)));
    const sealed: SealedFile = { v: 1, alg: 'A256GCM', iv: base64url(iv), ct: base64url(ct) };
    await writePrivate(this.paths.credentialsFile, JSON.stringify(sealed));
  }

  /** The stored session and its DPoP key; null when signed out. Throws when the file cannot be opened with this key. */
  async load(): Promise<{ session: LeashSession; dpop: DpopKey } | null> {
    const sealedText = await readIfExists(this.paths.credentialsFile);
    if (sealedText === null) return null;
    const keyFile = await this.#readKeys();
    const aesKey = await this.#aesKey(keyFile);
    let plaintext: ArrayBuffer;
    try {
      const sealed = JSON.parse(sealedText) as SealedFile;
      plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64url(sealed.iv), additionalData: AAD }, aesKey, fromBase64url(sealed.ct));
    } catch (error) {
      throw new CredentialStoreError(
        'credentials_unreadable',
        `Cannot open ${this.paths.credentialsFile} with the key in ${this.keysLocation}${this.#envKey() ? ' and LEASH_CREDENTIALS_KEY' : ''}: it was written with another key, or changed. Run \`leash login\` again.`,
        { cause: error },
      );
    }
    return { session: JSON.parse(new TextDecoder().decode(plaintext)) as LeashSession, dpop: await DpopKey.fromPrivateJwk(keyFile.dpop) };
  }

  /** Signs out locally: the files and the keychain entry are removed. */
  async clear(): Promise<void> {
    await fs.rm(this.paths.credentialsFile, { force: true });
    await fs.rm(this.paths.keyFile, { force: true });
    await (await this.#keychain)?.delete(this.#account).catch(() => undefined);
  }

  #envKey(): string | undefined {
    return this.env.LEASH_CREDENTIALS_KEY || undefined;
  }

  /** The keys: from the keychain when it has them, else from the key file. */
  async #readKeys(): Promise<KeyFile> {
    const keychain = await this.#keychain;
    const fromKeychain = keychain ? await keychain.get(this.#account).catch(() => null) : null;
    if (fromKeychain) {
      this.#keysIn = keychain!.name;
      return JSON.parse(fromKeychain) as KeyFile;
    }
    const text = await readIfExists(this.paths.keyFile);
    this.#keysIn = this.paths.keyFile;
    if (text === null) throw new CredentialStoreError('key_missing', `The key file ${this.paths.keyFile} is missing: the credentials cannot be opened without it. Run \`leash login\` again.`);
    return JSON.parse(text) as KeyFile;
  }

  async #aesKey(keyFile: KeyFile): Promise<CryptoKey> {
    const raw = this.#envKey() ?? keyFile.aes;
    if (!raw) throw new CredentialStoreError('key_missing', 'The credentials key is not set: the key file has none and LEASH_CREDENTIALS_KEY is empty.');
    const bytes = fromBase64url(raw);
    if (bytes.length !== 32) throw new CredentialStoreError('key_invalid', 'The credentials key must be 32 bytes (base64url).');
    return crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
  }
}
