// `npm run audit:verify`: recomputes the whole audit log against DATABASE_URL (after a restore,
// on a schedule, before an export): every chain and every signed checkpoint (docs/audit.md). Exits
// 0 when everything matches, 1 naming the first record or checkpoint that does not, as the
// dashboard's "Verify now" does.
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
  console.log(
    `The audit log verifies: ${verdict.checked} record${verdict.checked === 1 ? '' : 's'} in ${verdict.chains} chain${verdict.chains === 1 ? '' : 's'}, ${verdict.checkpoints} signed checkpoint${verdict.checkpoints === 1 ? '' : 's'}, last id ${verdict.lastId ?? 'none'}.`,
  );
} else {
  console.error(`The audit log is broken (${verdict.reason}): ${verdict.detail}, after ${verdict.checked} good record${verdict.checked === 1 ? '' : 's'}.`);
  process.exit(1);
}
