// Part of `npm run bench`: how fast a revocation reaches a resource server as a Shared Signals SET
// (issue 14 §4; docs/shared-signals.md). A receiver (`node:http`, loopback, allowlisted with
// LEASH_SSF_ALLOWLIST) registers its stream; each sample is a fresh token for the resource, revoked
// over RFC 7009, timed from the revoke call's start to the SET naming that token arriving (the SET
// can arrive before the revoke call has answered: the push starts when the transaction commits).
import http from 'node:http';
import { decodeJwt } from 'jose';

type Issued = { token: string; id: string };

export type SsfReceiverForBench = { url: string; arrivals: Map<string, number>; close: () => Promise<void> };

/** A receiver that records when each token's session-revoked SET arrived (by the token's jti). */
export async function benchSsfReceiver(port: number): Promise<SsfReceiverForBench> {
  const arrivals = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const at = performance.now();
      try {
        const claims = decodeJwt(Buffer.concat(chunks).toString('utf8')) as { sub_id?: { token?: { jti?: string } } };
        const jti = claims.sub_id?.token?.jti;
        if (jti) arrivals.set(jti, at);
      } catch {
        // Not a SET: answered 400 below like any receiver would.
        return void response.writeHead(400, { 'Content-Type': 'application/json' }).end('{"err":"invalid_request"}');
      }
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/events`, arrivals, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function ssfRevocation(samples: number, receiver: SsfReceiverForBench, issue: () => Promise<Issued>, revoke: (token: string) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const { token, id } = await issue();
    const started = performance.now();
    await revoke(token);
    const deadline = started + 10_000;
    while (!receiver.arrivals.has(id)) {
      if (performance.now() > deadline) throw new Error(`no SET for token ${id} within 10 s`);
      await new Promise((r) => setTimeout(r, 1));
    }
    latencies.push(receiver.arrivals.get(id)! - started);
    await new Promise((r) => setTimeout(r, 20));
  }
  return latencies;
}
