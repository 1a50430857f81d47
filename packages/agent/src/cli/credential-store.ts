// Where the `leash` CLI keeps its session when there is no OS keychain (headless Linux, CI, and
// this build: see README): two files in two directories, each 0600 in a 0700 directory.
//   credentials file  $LEASH_CONFIG_DIR or $XDG_CONFIG_HOME/leash or ~/.config/leash, credentials.enc:
//                     the session (tokens, client id, server metadata) sealed with AES-256-GCM.
//   key file          $LEASH_KEY_DIR or $XDG_DATA_HOME/leash or ~/.local/share/leash, credentials.key:
//                     the AES key (unless LEASH_CREDENTIALS_KEY gives it, base64url of 32 bytes) and the
//                     DPoP private key the tokens are bound to (RFC 9449).
// A copied credentials file alone cannot be opened; and even its plaintext is useless elsewhere:
// the refresh and access tokens are DPoP-bound, and the server refuses them without a proof made
// with the private key, which lives only in the key file.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LeashSession } from '../agent.js';
import { base64url, DpopKey } from '../dpop.js';
import { LeashError } from '../errors.js';

export type StorePaths = { credentialsFile: string; keyFile: string };

export class CredentialStoreError extends LeashError {}

export function defaultStorePaths(env: Record<string, string | undefined> = process.env): StorePaths {
  const home = os.homedir();
  const configDir = env.LEASH_CONFIG_DIR || path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'leash');
  const keyDir = env.LEASH_KEY_DIR || path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'leash');
  return { credentialsFile: path.join(configDir, 'credentials.enc'), keyFile: path.join(keyDir, 'credentials.key') };
}

type KeyFile = { v: 1; aes?: string; dpop: JsonWebKey };
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
  constructor(
    readonly paths: StorePaths = defaultStorePaths(),
    private readonly env: Record<string, string | undefined> = process.env,
  ) {
    if (path.dirname(paths.credentialsFile) === path.dirname(paths.keyFile)) {
      throw new CredentialStoreError('store_misconfigured', 'The key file must live in another directory than the credentials file.');
    }
  }

  /** A new DPoP key for a new login: extractable once, to be written to the key file, then used non-extractable. */
  async createKey(): Promise<DpopKey> {
    const generated = await DpopKey.generate({ extractable: true });
    const jwk = await crypto.subtle.exportKey('jwk', generated.keyPair.privateKey);
    const envKey = this.#envKey();
    const keyFile: KeyFile = { v: 1, ...(envKey ? {} : { aes: base64url(crypto.getRandomValues(new Uint8Array(32))) }), dpop: jwk };
    await writePrivate(this.paths.keyFile, JSON.stringify(keyFile));
    return DpopKey.fromPrivateJwk(jwk);
  }

  async save(session: LeashSession): Promise<void> {
    const key = await this.#aesKey(await this.#readKeyFile());
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: AAD }, key, new TextEncoder().encode(JSON.stringify(session)));
    const sealed: SealedFile = { v: 1, alg: 'A256GCM', iv: base64url(iv), ct: base64url(ct) };
    await writePrivate(this.paths.credentialsFile, JSON.stringify(sealed));
  }

  /** The stored session and its DPoP key; null when signed out. Throws when the file cannot be opened with this key. */
  async load(): Promise<{ session: LeashSession; dpop: DpopKey } | null> {
    const sealedText = await readIfExists(this.paths.credentialsFile);
    if (sealedText === null) return null;
    const keyFile = await this.#readKeyFile();
    const aesKey = await this.#aesKey(keyFile);
    let plaintext: ArrayBuffer;
    try {
      const sealed = JSON.parse(sealedText) as SealedFile;
      plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64url(sealed.iv), additionalData: AAD }, aesKey, fromBase64url(sealed.ct));
    } catch (error) {
      throw new CredentialStoreError(
        'credentials_unreadable',
        `Cannot open ${this.paths.credentialsFile} with the key in ${this.paths.keyFile}${this.#envKey() ? ' and LEASH_CREDENTIALS_KEY' : ''}: it was written with another key, or changed. Run \`leash login\` again.`,
        { cause: error },
      );
    }
    return { session: JSON.parse(new TextDecoder().decode(plaintext)) as LeashSession, dpop: await DpopKey.fromPrivateJwk(keyFile.dpop) };
  }

  /** Signs out locally: both files are removed. */
  async clear(): Promise<void> {
    await fs.rm(this.paths.credentialsFile, { force: true });
    await fs.rm(this.paths.keyFile, { force: true });
  }

  #envKey(): string | undefined {
    return this.env.LEASH_CREDENTIALS_KEY || undefined;
  }

  async #readKeyFile(): Promise<KeyFile> {
    const text = await readIfExists(this.paths.keyFile);
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
