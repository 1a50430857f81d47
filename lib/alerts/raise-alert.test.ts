// Raising an alert against the real database: a trigger that arrives while its rule is being
// checked, or while another instance holds the rule's lock, is checked again rather than lost (the
// fifth approval request of five once raised nothing: its check was skipped while the fourth's ran,
// and the fourth's count had not seen the fifth's row).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, db } from '@/lib/db/client';
import { createUserWithAgent } from '@/lib/db/test-fixtures';
import { alertLockKey, raiseAlert, type AlertInput } from './raise-alert';

let userId: string;
let agentId: string;
beforeAll(async () => {
  ({ userId, agentId } = await createUserWithAgent('raise', 'Raise test agent'));
});
afterAll(closeDb);

const alertsOf = async (kind: string) => (await db().alert.findMany({ where: { userId, agentId, kind }, select: { message: true } })).map((a) => a.message);

/** A rule that raises only from its `raiseFrom`-th check on (as a count reaching its threshold would). */
function rule(kind: string, raiseFrom: number, firstCheckHeld?: Promise<void>) {
  let checks = 0;
  let entered!: () => void;
  const firstEntered = new Promise<void>((resolve) => (entered = resolve));
  const input: AlertInput = {
    userId,
    agentId,
    kind,
    severity: 'WARNING',
    dedupeMinutes: 10,
    decide: async () => {
      const check = ++checks;
      if (check === 1) {
        entered();
        await firstCheckHeld;
      }
      return check >= raiseFrom ? { message: `${kind} after ${check} checks`, details: {} } : null;
    },
  };
  return { input, firstEntered, checks: () => checks };
}

describe('raising an alert', () => {
  it('checks the rule again when a trigger arrived while it was being checked', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { input, firstEntered, checks } = rule('test_checked_again', 2, held);
    const first = raiseAlert(input);
    await firstEntered;
    // The second trigger, while the first check runs: not checked now, and not lost.
    expect(await raiseAlert(input)).toBeNull();
    expect(await raiseAlert(input)).toBeNull();
    release();
    expect(await first).toBeNull();
    await expect.poll(() => alertsOf('test_checked_again')).toEqual(['test_checked_again after 2 checks']);
    // However many triggers arrived meanwhile, one more check.
    expect(checks()).toBe(2);
  });

  it('tries again when another instance held the rule’s lock', async () => {
    const { input, checks } = rule('test_lock_busy', 1);
    const name = `alert:test_lock_busy:${agentId}:${userId}`;
    const key = alertLockKey(name);
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1)', [key.toString()]);
      expect(await raiseAlert(input)).toBeNull();
      expect(checks()).toBe(0);
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    await expect.poll(() => alertsOf('test_lock_busy')).toEqual(['test_lock_busy after 1 checks']);
  });
});
