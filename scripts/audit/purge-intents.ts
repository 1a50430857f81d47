// `npm run audit:purge-intents`: deletes the stored intent texts whose retention has ended, and
// records the purge in the audit log (the servers also do this every hour). Needs DATABASE_URL.
export {};
if (!process.env.DATABASE_URL) {
  console.error('DATABASE_URL is required.');
  process.exit(2);
}
const { purgeExpiredIntentTexts } = await import('../../lib/audit/purge-intent-texts');
const { closeDb } = await import('../../lib/db/client');
const purged = await purgeExpiredIntentTexts();
console.log(`Purged ${purged} intent text${purged === 1 ? '' : 's'} past their retention period.`);
await closeDb();
