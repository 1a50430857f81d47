// The signing keys, fetched from a real loopback key server the test runs (the configuration
// allows plain http on loopback only): one fetch an hour, one early fetch a minute for an unknown
// key id, keys that are not P-256 skipped, and an unreachable list refused rather than guessed.
import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const keys: { key_identifier: string; key: string; is_current: boolean }[] = [];
let hits = 0;
let answer: 'keys' | 'error' | 'not-json' = 'keys';
const server = http.createServer((req, res) => {
  hits++;
  if (answer === 'error') return res.writeHead(500).end('{}');
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(answer === 'keys' ? JSON.stringify({ public_keys: keys }) : '<html>');
});

const pem = (namedCurve: string) => crypto.generateKeyPairSync('ec', { namedCurve }).publicKey.export({ type: 'spki', format: 'pem' }) as string;

let findScanningKey: typeof import('./scanning-keys').findScanningKey;
let ScanningKeysUnavailableError: typeof import('./scanning-keys').ScanningKeysUnavailableError;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.LEASH_SECRET_SCANNING_KEYS_URL = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/meta/public_keys/secret_scanning`;
  ({ findScanningKey, ScanningKeysUnavailableError } = await import('./scanning-keys'));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('findScanningKey', () => {
  it('fetches the list once, keeps it, skips keys that are not P-256, and fetches early (once a minute) for an unknown id', async () => {
    const now = vi.spyOn(Date, 'now');
    let t = 1_000_000_000_000;
    now.mockImplementation(() => t);
    keys.push(
      { key_identifier: 'current', key: pem('P-256'), is_current: true },
      { key_identifier: 'older', key: pem('P-256'), is_current: false },
      { key_identifier: 'p384', key: pem('P-384'), is_current: false },
    );
    expect((await findScanningKey('current'))?.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(await findScanningKey('older')).not.toBeNull();
    expect(await findScanningKey('p384')).toBeNull();
    expect(hits).toBe(1); // 'p384' was unknown, but the list is less than a minute old

    keys.push({ key_identifier: 'rotated', key: pem('P-256'), is_current: true });
    expect(await findScanningKey('rotated')).toBeNull();
    t += 61_000;
    expect(await findScanningKey('rotated')).not.toBeNull();
    expect(await findScanningKey('invented')).toBeNull();
    expect(hits).toBe(2);

    // An hour later the list is fetched again; a list that cannot be had refuses every report.
    t += 3_600_000;
    answer = 'error';
    await expect(findScanningKey('current')).rejects.toBeInstanceOf(ScanningKeysUnavailableError);
    answer = 'not-json';
    await expect(findScanningKey('current')).rejects.toBeInstanceOf(ScanningKeysUnavailableError);
    answer = 'keys';
    expect(await findScanningKey('current')).not.toBeNull();
    expect(hits).toBe(5);
    now.mockRestore();
  });
});
