// An audit proof checked on its own: one built here the way the server builds it (records of one
// user, links for the others, in two chains, a seal signed with an ES256 key) verifies, and every
// kind of tampering is named: a changed record, a removed place, a record passed off as a link,
// another key's seal, a seal over another head. A file in the format before chains still verifies.
import { describe, expect, it } from 'vitest';
import { generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { linkHash, recordDigest } from './chain-hash';
import { PROOF_FORMAT, PROOF_TYP, verifyProof, type SealClaims } from './verify-proof';

const ISSUER = 'https://leash.example';
const ME = '0193c6a0-0000-7000-8000-0000000000aa';
const OTHER = '0193c6a0-0000-7000-8000-0000000000bb';

/** Places 10..15 of a chain; the subject's records at the even places. */
function chain(chainName: string) {
  let previous: string | null = 'v2:' + '1'.repeat(64);
  const entries: Record<string, unknown>[] = [];
  let records = 0;
  for (let seq = 10; seq < 16; seq++) {
    const record = {
      createdAt: new Date(Date.UTC(2026, 11, 5, 10, seq)).toISOString(),
      userId: seq % 2 ? OTHER : ME,
      action: 'token.issue',
      decision: 'ALLOW',
      scopes: ['datasets:read'],
      details: null,
      requestId: chainName,
    };
    const digest = recordDigest(record);
    const hash = linkHash(digest, previous);
    if (record.userId === ME) {
      entries.push({ type: 'record', chain_seq: String(seq), id: String(seq + 100), prev_hash: previous, hash, record });
      records++;
    } else entries.push({ type: 'link', chain_seq: String(seq), digest, hash });
    previous = hash;
  }
  return { entries, sealed: { chain: chainName, first_seq: '10', head_seq: '15', head_hash: previous!, records, places: entries.length } };
}

/** A proof over chains 3 and 8 (format 2), or, with `format1`, over one chain as before the log had several. */
async function build(signingKey?: CryptoKey, options: { format1?: boolean } = {}) {
  const keys = await generateKeyPair('ES256');
  const chains = options.format1 ? [chain('')] : [chain('3'), chain('8')];
  const entries = options.format1 ? chains[0]!.entries : chains.flatMap((c) => [{ type: 'chain', chain: c.sealed.chain, first_seq: '10' }, ...c.entries]);
  const records = chains.reduce((n, c) => n + c.sealed.records, 0);
  const places = chains.reduce((n, c) => n + c.sealed.places, 0);
  const claims: SealClaims = options.format1
    ? { iss: ISSUER, sub: ME, first_seq: '10', head_seq: '15', head_hash: chains[0]!.sealed.head_hash, records, places }
    : { iss: ISSUER, sub: ME, chains: chains.map((c) => c.sealed), records, places };
  const signature = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: PROOF_TYP })
    .setIssuedAt()
    .sign(signingKey ?? keys.privateKey);
  const lines = [
    { type: 'header', format: options.format1 ? 'leash-audit-proof/1' : PROOF_FORMAT, issuer: ISSUER, subject: ME, generated_at: new Date().toISOString(), not_covered: 0 },
    ...entries,
    { type: 'seal', signature },
  ];
  const verifySeal = async (jws: string) => (await jwtVerify(jws, keys.publicKey, { typ: PROOF_TYP })).payload as unknown as SealClaims;
  return { lines, verifySeal, claims };
}

const text = (lines: unknown[]) => lines.map((line) => JSON.stringify(line));

describe('an audit proof', () => {
  it('verifies as exported: in each of two chains, three records of the subject and three other records as links', async () => {
    const { lines, verifySeal } = await build();
    expect(await verifyProof(text(lines), verifySeal)).toEqual({ ok: true, issuer: ISSUER, subject: ME, records: 6, links: 6, chains: 2, headSeq: null, notCovered: 0 });
  });

  it('still verifies a file exported before the log had several chains (format 1), and finds it changed', async () => {
    const { lines, verifySeal } = await build(undefined, { format1: true });
    expect(await verifyProof(text(lines), verifySeal)).toEqual({ ok: true, issuer: ISSUER, subject: ME, records: 3, links: 3, chains: 1, headSeq: '15', notCovered: 0 });
    const changed = structuredClone(lines) as Record<string, Record<string, unknown>>[];
    changed[1]!.record!.decision = 'DENY';
    expect(await verifyProof(text(changed), verifySeal)).toMatchObject({ ok: false, reason: 'record 110 was changed' });
  });

  it('refuses a chain left out of the file, or a seal over fewer chains', async () => {
    const { lines, verifySeal } = await build();
    const second = lines.findIndex((line) => (line as { type: string; chain?: string }).type === 'chain' && (line as { chain: string }).chain === '8');
    const withoutSecond = [...lines.slice(0, second), lines.at(-1)!];
    expect(await verifyProof(text(withoutSecond), verifySeal)).toMatchObject({ ok: false, reason: 'the seal counts 6 records in 12 places, the file has 3 in 6' });
  });

  it('names a changed record', async () => {
    const { lines, verifySeal } = await build();
    const changed = structuredClone(lines) as Record<string, Record<string, unknown>>[];
    changed[2]!.record!.decision = 'DENY';
    expect(await verifyProof(text(changed), verifySeal)).toMatchObject({ ok: false, reason: 'record 110 was changed' });
  });

  it('names a place of the chain that was removed', async () => {
    const { lines, verifySeal } = await build();
    expect(await verifyProof(text(lines.filter((_, i) => i !== 3)), verifySeal)).toMatchObject({ ok: false, reason: 'place 11 of chain 3 is missing' });
  });

  it('notices a record passed off as a link (the seal counts the records)', async () => {
    const { lines, verifySeal } = await build();
    const hidden = lines.map((line) => {
      const entry = line as { type: string; chain_seq?: string; record?: Record<string, unknown>; hash?: string };
      return entry.type === 'record' && entry.chain_seq === '12' && entry.record!.requestId === '3' ? { type: 'link', chain_seq: '12', digest: recordDigest(entry.record!), hash: entry.hash } : line;
    });
    expect(await verifyProof(text(hidden), verifySeal)).toMatchObject({ ok: false, reason: 'the seal counts 6 records in 12 places, the file has 5 in 12' });
  });

  it('refuses a seal signed with another key, and a record of another user', async () => {
    const forged = await build((await generateKeyPair('ES256')).privateKey);
    expect(await verifyProof(text(forged.lines), forged.verifySeal)).toMatchObject({ ok: false, reason: expect.stringMatching(/^the seal's signature does not verify/) });
    const { lines, verifySeal } = await build();
    const foreign = structuredClone(lines) as Record<string, Record<string, unknown>>[];
    foreign[2]!.record!.userId = OTHER;
    expect(await verifyProof(text(foreign), verifySeal)).toMatchObject({ ok: false, reason: "record 110 is not the subject's" });
  });

  it('refuses a file cut before its seal, or that is not a proof', async () => {
    const { lines, verifySeal } = await build();
    expect(await verifyProof(text(lines.slice(0, -1)), verifySeal)).toMatchObject({ ok: false, reason: 'the file ends without its seal' });
    expect(await verifyProof(['{"type":"header","format":"csv"}'], verifySeal)).toMatchObject({ ok: false, reason: `not a ${PROOF_FORMAT} file` });
  });
});
