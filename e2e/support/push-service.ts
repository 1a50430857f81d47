// A Web Push service for tests: the receiving side of RFC 8030 on loopback, holding subscriptions
// as a browser would (an ECDH P-256 key pair and a 16-byte auth secret per subscription, RFC 8291
// §3) and decrypting every message it receives with them, so a test reads what the user's device
// would show and the encryption is really checked:
// - RFC 8030 §5: a POST to the push resource with a TTL header; answered 201 Created with the
//   message's Location (or what the test scripted: 410 Gone for a dead subscription).
// - RFC 8292: `Authorization: vapid t=<JWT>, k=<key>`: the JWT is ES256 under `k`, `aud` is the
//   push resource's origin, `exp` within 24 hours, `sub` a mailto: or https: URL; and `k` is the
//   key the subscription was made with (the application server's public key).
// - RFC 8291 §3.4 with RFC 8188: `Content-Encoding: aes128gcm`; the header's key id is the sender's
//   ephemeral public key; ECDH with the subscription's private key, HKDF with the auth secret
//   ("WebPush: info"), then the content key and nonce ("Content-Encoding: aes128gcm"/"nonce"),
//   AES-128-GCM, and the padding delimiter 0x02 of the last record.
// A message that fails any check is recorded with its error and answered 400.
import crypto from 'node:crypto';
import http from 'node:http';
import * as jose from 'jose';

export type PushMessage = {
  subscription: string;
  headers: http.IncomingHttpHeaders;
  ttl: number;
  urgency: string | null;
  topic: string | null;
  /** The decrypted payload, parsed as JSON. */
  payload: { title?: string; body?: string; url?: string; tag?: string } | null;
  error?: string;
};

export type BrowserSubscription = { endpoint: string; keys: { p256dh: string; auth: string } };

export type PushService = {
  port: number;
  /** A new subscription as PushManager.subscribe() would answer it (for applicationServerKey `vapidKey`). */
  subscribe: (vapidKey: string) => BrowserSubscription;
  /** Messages received (decrypted), oldest first; for one subscription when given its endpoint. */
  messages: (endpoint?: string) => PushMessage[];
  /** The push service no longer knows this subscription: its next messages get 410 Gone. */
  forget: (endpoint: string) => void;
  waitFor: (endpoint: string, match: (m: PushMessage) => boolean, timeoutMs?: number) => Promise<PushMessage>;
  close: () => Promise<void>;
};

type Held = { ecdh: crypto.ECDH; publicKey: Buffer; auth: Buffer; vapidKey: string; gone: boolean };

const hkdf = (salt: Buffer, ikm: Buffer, info: Buffer, length: number) => Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, length));

/** RFC 8291 §3.4 + RFC 8188 §2: the plaintext of an aes128gcm body for this subscription. */
export function decryptPushBody(body: Buffer, held: { ecdh: crypto.ECDH; publicKey: Buffer; auth: Buffer }): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const senderKey = body.subarray(21, 21 + idlen);
  if (idlen !== 65 || senderKey[0] !== 4) throw new Error('the key id is not an uncompressed P-256 public key (RFC 8291 §4)');
  const records = body.subarray(21 + idlen);
  if (records.length > rs) throw new Error('more than one record (RFC 8291 §4: a push message is one record)');
  const ecdhSecret = held.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), held.publicKey, senderKey]);
  const ikm = hkdf(held.auth, ecdhSecret, keyInfo, 32);
  const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12);
  const decipher = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record padding delimiter (RFC 8188 §2)');
  return padded.subarray(0, end);
}

async function checkVapid(header: string | undefined, endpoint: string, expectedKey: string): Promise<void> {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match) throw new Error('no vapid Authorization (RFC 8292 §3)');
  const [, token, k] = match as unknown as [string, string, string];
  if (k !== expectedKey) throw new Error('k is not the key the subscription was made with (RFC 8292 §3.2, §4)');
  const raw = Buffer.from(k, 'base64url');
  const key = await jose.importJWK({ kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') }, 'ES256');
  const { payload } = await jose.jwtVerify(token, key, { algorithms: ['ES256'], audience: new URL(endpoint).origin });
  if (!payload.exp || payload.exp > Date.now() / 1000 + 24 * 3600) throw new Error('exp more than 24 hours ahead (RFC 8292 §2)');
  if (typeof payload.sub !== 'string' || !/^(mailto:|https:)/.test(payload.sub)) throw new Error('sub is not a mailto: or https: URL (RFC 8292 §2.1)');
}

export async function startPushService(): Promise<PushService> {
  const held = new Map<string, Held>();
  const received: PushMessage[] = [];
  let counter = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', async () => {
      const id = /^\/push\/([a-z0-9-]+)$/.exec(request.url ?? '')?.[1];
      const subscription = id ? held.get(id) : undefined;
      const endpoint = `http://127.0.0.1:${port}${request.url}`;
      if (request.method !== 'POST' || !subscription) return void response.writeHead(404).end();
      if (subscription.gone) return void response.writeHead(410).end();
      const message: PushMessage = {
        subscription: endpoint,
        headers: request.headers,
        ttl: Number(request.headers.ttl),
        urgency: (request.headers.urgency as string) ?? null,
        topic: (request.headers.topic as string) ?? null,
        payload: null,
      };
      try {
        if (request.headers.ttl === undefined || !/^\d+$/.test(String(request.headers.ttl))) throw new Error('no TTL header (RFC 8030 §5.2)');
        if (request.headers['content-encoding'] !== 'aes128gcm') throw new Error('Content-Encoding is not aes128gcm (RFC 8291 §4)');
        await checkVapid(request.headers.authorization, endpoint, subscription.vapidKey);
        message.payload = JSON.parse(decryptPushBody(Buffer.concat(chunks), subscription).toString('utf8'));
      } catch (error) {
        message.error = (error as Error).message;
      }
      received.push(message);
      if (message.error) return void response.writeHead(400, { 'Content-Type': 'text/plain' }).end(message.error);
      // RFC 8030 §5: 201 Created, the push message's own resource in Location.
      response.writeHead(201, { Location: `http://127.0.0.1:${port}/message/${++counter}` }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    subscribe: (vapidKey) => {
      const ecdh = crypto.createECDH('prime256v1');
      const publicKey = ecdh.generateKeys();
      const auth = crypto.randomBytes(16);
      const id = crypto.randomUUID();
      held.set(id, { ecdh, publicKey, auth, vapidKey, gone: false });
      return { endpoint: `http://127.0.0.1:${port}/push/${id}`, keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') } };
    },
    messages: (endpoint) => received.filter((m) => !endpoint || m.subscription === endpoint),
    forget: (endpoint) => {
      const id = endpoint.split('/').pop()!;
      held.get(id)!.gone = true;
    },
    waitFor: async (endpoint, match, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find((m) => m.subscription === endpoint && match(m));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching push message for ${endpoint}; got ${JSON.stringify(received.filter((m) => m.subscription === endpoint))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
