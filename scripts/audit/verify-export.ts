// `npm run audit:verify-export -- <proof.jsonl> [--jwks <file or URL>]`: checks an audit proof
// exported from the dashboard (Audit → Export → Proof) on its own, with no access to Leash's
// database: the records are unaltered and in the chain the issuer signed (lib/audit/verify-proof.ts,
// docs/audit.md). The issuer's keys come from its JWKS (default: <issuer>/.well-known/jwks.json;
// `--jwks` for a saved copy, e.g. after the signing key has been rotated away). Exit 0 when it
// verifies, 1 when it does not, 2 on bad usage.
import fs from 'node:fs';
import readline from 'node:readline';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { PROOF_TYP, verifyProof, type SealClaims } from '../../lib/audit/verify-proof';

const args = process.argv.slice(2);
const file = args.find((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--jwks');
const jwksAt = args.includes('--jwks') ? args[args.indexOf('--jwks') + 1] : undefined;
if (!file || !fs.existsSync(file)) {
  console.error('usage: npm run audit:verify-export -- <proof.jsonl> [--jwks <file or URL>]');
  process.exit(2);
}

function keysFor(issuer: string): JWTVerifyGetKey {
  if (!jwksAt) return createRemoteJWKSet(new URL(`${issuer.replace(/\/$/, '')}/.well-known/jwks.json`));
  if (/^https?:\/\//.test(jwksAt)) return createRemoteJWKSet(new URL(jwksAt));
  return createLocalJWKSet(JSON.parse(fs.readFileSync(jwksAt, 'utf8')));
}

const verdict = await verifyProof(readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity }), async (jws, issuer) => {
  const { payload } = await jwtVerify(jws, keysFor(issuer), { typ: PROOF_TYP, algorithms: ['ES256'] });
  return payload as unknown as SealClaims;
});
if (!verdict.ok) {
  console.error(`Not verified: ${verdict.reason}${verdict.line ? ` (line ${verdict.line})` : ''}.`);
  process.exit(1);
}
console.log(
  `Verified: ${verdict.records} record${verdict.records === 1 ? '' : 's'} of ${verdict.subject === 'all' ? 'every user' : `user ${verdict.subject}`} in the audit chain of ${verdict.issuer}, ` +
    (verdict.headSeq === null ? `in ${verdict.chains} chain${verdict.chains === 1 ? '' : 's'} sealed at their heads` : `sealed at place ${verdict.headSeq}`) +
    ` (${verdict.links} other record${verdict.links === 1 ? '' : 's'} carried as links).` +
    (verdict.notCovered ? ` ${verdict.notCovered} older record${verdict.notCovered === 1 ? ' was' : 's were'} sealed before proofs existed and are not covered.` : ''),
);
