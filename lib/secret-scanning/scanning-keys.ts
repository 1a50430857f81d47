// The public keys that sign secret scanning reports, fetched from LEASH_SECRET_SCANNING_KEYS_URL
// (GitHub's: https://api.github.com/meta/public_keys/secret_scanning) through the SSRF guard
// (lib/http/safe-fetch.ts) and kept for an hour. A key id the list does not have makes one early
// fetch (the sender may have rotated its keys), at most once a minute, so posts with invented key
// ids cannot make this instance hammer the key server. A list that cannot be fetched refuses the
// report (503: the sender retries); nothing is decided on keys that could not be checked.
import 'server-only';
import type crypto from 'node:crypto';
import { z } from 'zod';
import { getConfig } from '@/lib/config/config';
import { safeFetchJson } from '@/lib/http/safe-fetch';
import { log } from '@/lib/log/logger';
import { importScanningKey } from '@/lib/secret-scanning/scanning-signature';

const FRESH_MS = 60 * 60_000;
const EARLY_REFETCH_MS = 60_000;

const keysDocument = z.object({
  public_keys: z.array(z.looseObject({ key_identifier: z.string().min(1).max(256), key: z.string().min(1).max(8192), is_current: z.boolean().optional() })).max(100),
});

export class ScanningKeysUnavailableError extends Error {}

type KeySet = { url: string; fetchedAt: number; keys: Map<string, crypto.KeyObject> };

let current: KeySet | undefined;
let loading: Promise<KeySet> | undefined;

async function fetchKeys(url: string): Promise<KeySet> {
  const target = new URL(url);
  // The configuration allows plain http only on a loopback host (lib/config/config.ts); such a
  // host is reachable only when allowlisted, as the tests' key servers are.
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(target.hostname);
  let answer: Awaited<ReturnType<typeof safeFetchJson>>;
  try {
    answer = await safeFetchJson(url, { maxBytes: 64 * 1024, timeoutMs: 5000, allowlist: loopback ? [target.host] : [], userAgent: 'Leash-Secret-Scanning/1' });
  } catch (error) {
    throw new ScanningKeysUnavailableError(`the signing keys could not be fetched: ${(error as Error).message}`);
  }
  const parsed = keysDocument.safeParse(answer.body);
  if (answer.status !== 200 || !parsed.success) throw new ScanningKeysUnavailableError(`the signing keys answer was not a key list (HTTP ${answer.status})`);
  const keys = new Map<string, crypto.KeyObject>();
  for (const entry of parsed.data.public_keys) {
    // Every listed key is accepted, current or not: reports signed just before a rotation still verify.
    const key = importScanningKey(entry.key);
    if (key) keys.set(entry.key_identifier, key);
    else log('secret-scanning').warn({ key_identifier: entry.key_identifier }, 'skipped a listed key that is not an ECDSA P-256 public key');
  }
  return { url, fetchedAt: Date.now(), keys };
}

function load(url: string): Promise<KeySet> {
  // Concurrent reports share one fetch.
  loading ??= fetchKeys(url).then(
    (set) => {
      current = set;
      loading = undefined;
      return set;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** The public key named `keyId`, or null when the publisher does not list it. */
export async function findScanningKey(keyId: string): Promise<crypto.KeyObject | null> {
  const { keysUrl } = getConfig().secretScanning;
  let set = current && current.url === keysUrl && Date.now() - current.fetchedAt < FRESH_MS ? current : await load(keysUrl);
  if (!set.keys.has(keyId) && Date.now() - set.fetchedAt >= EARLY_REFETCH_MS) set = await load(keysUrl);
  return set.keys.get(keyId) ?? null;
}
