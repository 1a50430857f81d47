// Next's start-up hook (runs once per server process): background upkeep that every instance may
// do, because each task is idempotent.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { scheduleAuditSealing } = await import('@/lib/audit/seal-audit-chain');
  scheduleAuditSealing();
  const { schedulePurgeOfIntentTexts } = await import('@/lib/audit/purge-intent-texts');
  schedulePurgeOfIntentTexts();
  const { sweepUsedDpopProofs } = await import('@/lib/dpop/verify-dpop-proof');
  setInterval(() => void sweepUsedDpopProofs().catch((error) => console.error('[dpop] sweep failed:', error)), 10 * 60_000).unref();
}
