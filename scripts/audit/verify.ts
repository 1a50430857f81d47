// `npm run audit:verify`: recomputes the whole audit chain against DATABASE_URL (after a restore,
// on a schedule, before an export) and exits 0 when every record still matches its hash and link,
// 1 naming the first record that does not. Seals waiting records first, as the dashboard's
// "Verify now" does.
export {};
if (!process.env.DATABASE_URL) {
  console.error('DATABASE_URL is required.');
  process.exit(2);
}
const { verifyAuditChain } = await import('../../lib/audit/verify-audit-chain');
const { closeDb } = await import('../../lib/db/client');
const verdict = await verifyAuditChain();
await closeDb();
if (verdict.ok) {
  console.log(`The audit chain verifies: ${verdict.checked} record${verdict.checked === 1 ? '' : 's'}, last id ${verdict.lastId ?? 'none'}.`);
} else {
  console.error(`The audit chain is broken at record ${verdict.brokenAt} (${verdict.reason}), after ${verdict.checked} good record${verdict.checked === 1 ? '' : 's'}.`);
  process.exit(1);
}
