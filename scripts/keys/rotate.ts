// `npm run keys:rotate [-- <grace seconds>]`: a new signing key takes over; the old one stays in
// the JWKS for the grace period (default 24 h) so tokens it signed still verify. Needs DATABASE_URL
// and the same LEASH_ENCRYPTION_KEY (or data folder) as the server.
export {};
const grace = Number(process.argv[2] ?? 24 * 3600);
if (!Number.isInteger(grace) || grace < 0) {
  console.error('usage: npm run keys:rotate -- [grace period in seconds]');
  process.exit(2);
}
if (!process.env.DATABASE_URL) {
  console.error('DATABASE_URL is required.');
  process.exit(2);
}
const { rotateSigningKey } = await import('../../lib/keys/rotate-signing-key');
const { closeDb } = await import('../../lib/db/client');
const { kid, retired } = await rotateSigningKey({ graceSeconds: grace });
console.log(`Active signing key: ${kid}`);
if (retired.length) console.log(`Still published for ${grace} s: ${retired.join(', ')}`);
await closeDb();
