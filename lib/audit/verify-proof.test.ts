// An audit proof checked on its own: one built here the way the server builds it (records of one
// user, links for the others, a seal signed with an ES256 key) verifies, and every kind of
// tampering is named: a changed record, a removed place, a record passed off as a link, another
// key's seal, a seal over another head.
import { describe, expect, it } from 'vitest';
import { generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { linkHash, recordDigest } from './chain-hash';
import { PROOF_FORMAT, PROOF_TYP, verifyProof, type SealClaims } from './verify-proof';

const ISSUER = 'https://leash.example';
const ME = '0193c6a0-0000-7000-8000-0000000000aa';
const OTHER = '0193c6a0-0000-7000-8000-0000000000bb';

async function build(signingKey?: CryptoKey) {
  const keys = await generateKeyPair('ES256');
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
    };
    const digest = recordDigest(record);
    const hash = linkHash(digest, previous);
    if (record.userId === ME) {
      entries.push({ type: 'record', chain_seq: String(seq), id: String(seq + 100), prev_hash: previous, hash, record });
      records++;
    } else entries.push({ type: 'link', chain_seq: String(seq), digest, hash });
    previous = hash;
  }
  const claims: SealClaims = { iss: ISSUER, sub: ME, first_seq: '10', head_seq: '15', head_hash: previous, records, places: entries.length };
  const signature = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: PROOF_TYP })
    .setIssuedAt()
    .sign(signingKey ?? keys.privateKey);
  const lines = [{ type: 'header', format: PROOF_FORMAT, issuer: ISSUER, subject: ME, generated_at: new Date().toISOString(), not_covered: 0 }, ...entries, { type: 'seal', signature }];
  const verifySeal = async (jws: string) => (await jwtVerify(jws, keys.publicKey, { typ: PROOF_TYP })).payload as unknown as SealClaims;
  return { lines, verifySeal, claims };
}

const text = (lines: unknown[]) => lines.map((line) => JSON.stringify(line));

describe('an audit proof', () => {
  it('verifies as exported: three records of the subject, three other records as links', async () => {
    const { lines, verifySeal } = await build();
    expect(await verifyProof(text(lines), verifySeal)).toEqual({ ok: true, issuer: ISSUER, subject: ME, records: 3, links: 3, headSeq: '15', notCovered: 0 });
  });

  it('names a changed record', async () => {
    const { lines, verifySeal } = await build();
    const changed = structuredClone(lines) as Record<string, Record<string, unknown>>[];
    changed[1]!.record!.decision = 'DENY';
    expect(await verifyProof(text(changed), verifySeal)).toMatchObject({ ok: false, reason: 'record 110 was changed' });
  });

  it('names a place of the chain that was removed', async () => {
    const { lines, verifySeal } = await build();
    expect(await verifyProof(text(lines.filter((_, i) => i !== 2)), verifySeal)).toMatchObject({ ok: false, reason: 'place 11 of the chain is missing' });
  });

  it('notices a record passed off as a link (the seal counts the records)', async () => {
    const { lines, verifySeal } = await build();
    const hidden = lines.map((line) => {
      const entry = line as { type: string; chain_seq?: string; record?: Record<string, unknown>; hash?: string };
      return entry.type === 'record' && entry.chain_seq === '12' ? { type: 'link', chain_seq: '12', digest: recordDigest(entry.record!), hash: entry.hash } : line;
    });
    expect(await verifyProof(text(hidden), verifySeal)).toMatchObject({ ok: false, reason: 'the seal counts 3 records in 6 places, the file has 2 in 6' });
  });

  it('refuses a seal signed with another key, and a record of another user', async () => {
    const forged = await build((await generateKeyPair('ES256')).privateKey);
    expect(await verifyProof(text(forged.lines), forged.verifySeal)).toMatchObject({ ok: false, reason: expect.stringMatching(/^the seal's signature does not verify/) });
    const { lines, verifySeal } = await build();
    const foreign = structuredClone(lines) as Record<string, Record<string, unknown>>[];
    foreign[1]!.record!.userId = OTHER;
    expect(await verifyProof(text(foreign), verifySeal)).toMatchObject({ ok: false, reason: "record 110 is not the subject's" });
  });

  it('refuses a file cut before its seal, or that is not a proof', async () => {
    const { lines, verifySeal } = await build();
    expect(await verifyProof(text(lines.slice(0, -1)), verifySeal)).toMatchObject({ ok: false, reason: 'the file ends without its seal' });
    expect(await verifyProof(['{"type":"header","format":"csv"}'], verifySeal)).toMatchObject({ ok: false, reason: `not a ${PROOF_FORMAT} file` });
  });
});
