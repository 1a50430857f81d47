// Next's start-up hook (runs once per server process): background upkeep that every instance may
// do, because each task is idempotent.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { schedulePurgeOfIntentTexts } = await import('@/lib/audit/purge-intent-texts');
  schedulePurgeOfIntentTexts();
}
