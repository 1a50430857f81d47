// Next's start-up hook (runs once per server process): background upkeep that every instance may
// do, because each task is idempotent.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // The audit log (docs/audit.md): signed checkpoints of every chain's head, and the sealing of
  // what an instance of the previous version still inserts unsealed during a rolling upgrade.
  const { scheduleCheckpoints } = await import('@/lib/audit/audit-checkpoint');
  scheduleCheckpoints();
  const { scheduleLegacySealing } = await import('@/lib/audit/seal-legacy-chain');
  scheduleLegacySealing();
  const { schedulePurgeOfIntentTexts } = await import('@/lib/audit/purge-intent-texts');
  schedulePurgeOfIntentTexts();
  const { sweepUsedDpopProofs } = await import('@/lib/oauth/dpop/verify-dpop-proof');
  // The hot path's in-memory cache listens for invalidations from the start (lib/cache/hot-cache.ts).
  const { startHotCache } = await import('@/lib/cache/hot-cache');
  const { log } = await import('@/lib/log/logger');
  void startHotCache();
  // Shared Signals: pushes the queued SETs to the resource servers' streams (lib/ssf/delivery-worker.ts).
  const { startSsfWorker } = await import('@/lib/ssf/delivery-worker');
  startSsfWorker();
  // Approval reminders and expiry (lib/notifications/approval-clock.ts): claimed with SKIP LOCKED, so every instance may run it.
  const { startApprovalClock } = await import('@/lib/notifications/approval-clock');
  startApprovalClock();
  // The daily digest (lib/notifications/digest-clock.ts): due rows taken with SKIP LOCKED, so every instance may run it.
  const { startDigestClock } = await import('@/lib/notifications/digest-clock');
  startDigestClock();
  setInterval(() => void sweepUsedDpopProofs().catch((error) => log('dpop').error({ err: error }, 'sweep failed')), 10 * 60_000).unref();
}
