// Secrets that are not given in the environment are generated on first start and kept in the data
// folder (mode 0600), so a restart keeps sessions valid and encrypted keys readable. Several
// instances sharing one database must be given the same secrets through the environment.
import 'server-only';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const secretsFile = z.object({
  sessionSecret: z.string().min(32),
  encryptionKey: z.string().min(43),
  databasePassword: z.string().min(16),
});

export type Secrets = z.infer<typeof secretsFile>;

export function loadOrCreateSecrets(dataDir: string, given: { sessionSecret?: string; encryptionKey?: string }): Secrets {
  const file = path.join(dataDir, 'secrets.json');
  let stored: Secrets | undefined;
  if (fs.existsSync(file)) {
    const parsed = secretsFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file} is damaged; remove it to generate new secrets`);
    stored = parsed.data;
  } else {
    const fresh: Secrets = {
      sessionSecret: random(),
      encryptionKey: random(),
      databasePassword: random(),
    };
    // The folder stays traversable: the embedded PostgreSQL runs as its own system user inside it.
    // The secrets file itself is readable by its owner only.
    fs.mkdirSync(dataDir, { recursive: true });
    try {
      // `wx`: if another process created the file first, keep theirs.
      fs.writeFileSync(file, JSON.stringify(fresh, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
      stored = fresh;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      stored = secretsFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    }
  }
  return {
    sessionSecret: given.sessionSecret ?? stored.sessionSecret,
    encryptionKey: given.encryptionKey ?? stored.encryptionKey,
    databasePassword: stored.databasePassword,
  };
}

function random() {
  return crypto.randomBytes(32).toString('base64url');
}

const vapidFile = z.object({ publicKey: z.string().min(80), privateKey: z.string().min(40) });

/**
 * The Web Push application server's key pair (RFC 8292 §3.2: P-256; the public key as the 65-byte
 * uncompressed point, the private key as its 32-byte scalar, both base64url, as browsers'
 * `applicationServerKey` and VAPID expect). Generated on first use and kept beside the other
 * secrets in its own file (created with `wx`: the first process to write it wins), so adding it
 * never rewrites an existing secrets.json. Several instances must share it (LEASH_VAPID_*_KEY):
 * a browser's subscription is bound to the public key it subscribed with.
 */
export function loadOrCreateVapidKeys(dataDir: string): z.infer<typeof vapidFile> {
  const file = path.join(dataDir, 'vapid-keys.json');
  if (fs.existsSync(file)) {
    const parsed = vapidFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file} is damaged; remove it to generate new keys (browsers then subscribe again)`);
    return parsed.data;
  }
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const fresh = {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(-65).toString('base64url'),
    privateKey: privateKey.export({ format: 'jwk' }).d!,
  };
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, JSON.stringify(fresh, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return vapidFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  }
}
