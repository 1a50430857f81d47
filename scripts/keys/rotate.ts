// `npm run keys:rotate [-- <grace seconds>] [--now]`: a new signing key is published at once and takes
// over after LEASH_JWKS_MAX_AGE (default 300 s), when verifiers' cached key sets have been fetched
// again; the old one then stays in the JWKS for the grace period (default 24 h) and until every access
// token it signed has expired (lib/keys/key-timeline.ts). `--now`: the new key signs at once (a key
// that must stop signing now, or a new LEASH_ENCRYPTION_KEY). Needs DATABASE_URL, and the same
// LEASH_ENCRYPTION_KEY (or data folder) and LEASH_JWKS_MAX_AGE as the servers.
export {};
const args = process.argv.slice(2);
const immediate = args.includes('--now');
const rest = args.filter((a) => a !== '--now');
const grace = Number(rest[0] ?? 24 * 3600);
if (rest.length > 1 || !Number.isInteger(grace) || grace < 0) {
  console.error('usage: npm run keys:rotate -- [grace period in seconds] [--now]');
  process.exit(2);
}
if (!process.env.DATABASE_URL) {
  console.error('DATABASE_URL is required.');
  process.exit(2);
}
const { rotateSigningKey } = await import('../../lib/keys/rotate-signing-key');
const { closeDb } = await import('../../lib/db/client');
const { kid, activateAt, replaced } = await rotateSigningKey({ graceSeconds: grace, immediate });
console.log(immediate ? `Active signing key: ${kid}` : `Next signing key: ${kid} (published now, signs from ${activateAt.toISOString()})`);
if (replaced.length) console.log(`Still published for ${grace} s after that, and until the tokens they signed have expired: ${replaced.join(', ')}`);
await closeDb();
