// What a database must hold after any fault (a dropped connection, a killed process): whole
// records. No token without the audit row of its issuance (they are written in one transaction), and
// no refresh family with two live tokens (rotation is a compare-and-swap: one successor at most).
import { expect } from '@playwright/test';
import type pg from 'pg';

export async function expectDatabaseWhole(sql: pg.Pool) {
  const orphans = await sql.query(
    `SELECT t.id, t.kind FROM tokens t
      WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.token_id = t.id AND e.action IN ('token.issue', 'token.exchange'))`,
  );
  expect(orphans.rows, 'tokens without the audit row of their issuance').toEqual([]);
  const forked = await sql.query(
    `SELECT family_id, count(*)::int AS live FROM tokens
      WHERE kind = 'REFRESH' AND used_at IS NULL AND revoked_at IS NULL AND family_id IS NOT NULL
      GROUP BY family_id HAVING count(*) > 1`,
  );
  expect(forked.rows, 'refresh families with more than one live token').toEqual([]);
}
