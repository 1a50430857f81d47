// Self-verifying audit exports (issue 18): a user downloads "Export proof" from the audit browser
// in Chromium and checks the file with `npm run audit:verify-export`, with nothing but the file and
// the server's published keys. The chains are shared by every user, yet the file carries another
// user's records only as digests (none of their content), and it still verifies end to end; a
// record altered in the file, or a place of a chain removed from it, is named.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createAccount, uniqueEmail, signedInPage } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken } from '../support/delegation';

const password = 'a-long-enough-passphrase';
const ROOT = path.resolve(import.meta.dirname, '..', '..');

function verifyExport(file: string) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit/verify-export.ts', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

test('a user’s proof verifies on its own, holds nothing of another user’s records, and names what was altered', async ({ browser, request, baseURL }) => {
  const owner = await createAccount(request, baseURL, { email: uniqueEmail('proof-owner'), password });
  const page = await signedInPage(browser, owner.email, { acceptDownloads: true });
  const agent = await delegatedToken(page.request, baseURL!, 'datasets:read', {}, { signedInAs: owner, agentName: 'Proven agent' });
  // Another user's activity interleaves with the owner's in the shared chains.
  const stranger = await delegatedToken(request, baseURL!, 'datasets:read', {}, { agentName: 'Stranger agent' });
  for (let i = 0; i < 5; i++) {
    expect((await page.request.get('/api/v1/datasets', { headers: { ...agent.auth, 'Agent-Intent': `Owner call ${i}` } })).status()).toBe(200);
    expect((await request.get('/api/v1/datasets', { headers: { ...stranger.auth, 'Agent-Intent': 'Stranger secret intent' } })).status()).toBe(200);
  }

  // More of the stranger's records after the owner's, so the owner's chains carry links.
  for (let i = 0; i < 40; i++) expect((await request.get('/api/v1/datasets', { headers: stranger.auth })).status()).toBe(200);

  await page.goto('/audit');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export proof' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^leash-audit-proof-.*\.jsonl$/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-proof-'));
  const file = path.join(dir, 'proof.jsonl');
  await download.saveAs(file);

  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM audit_events WHERE user_id = $1', [agent.userId]);
  const verified = verifyExport(file);
  expect(verified.output).toContain(`Verified: ${rows[0].n} records of user ${agent.userId} in the audit chain of ${baseURL}`);
  expect(verified.code).toBe(0);

  // The stranger's records are there as links only: no user, agent, intent or request of theirs.
  const text = fs.readFileSync(file, 'utf8');
  const entries = text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  // Links carry a digest and a hash, nothing else (how many depends on which chains the records took).
  for (const entry of entries.filter((e) => e.type === 'link')) expect(Object.keys(entry).sort()).toEqual(['chain_seq', 'digest', 'hash', 'type']);
  for (const secret of [stranger.userId, stranger.agentId, stranger.clientId, 'Stranger']) expect(text).not.toContain(secret);
  expect(entries.filter((entry) => entry.type === 'record').every((entry) => entry.record.userId === agent.userId)).toBe(true);

  // Altered: one of the owner's records says DENY instead of ALLOW.
  const target = entries.find((entry) => entry.type === 'record' && entry.record.decision === 'ALLOW');
  const altered = entries.map((entry) => (entry === target ? { ...entry, record: { ...entry.record, decision: 'DENY' } } : entry));
  fs.writeFileSync(file, altered.map((entry) => JSON.stringify(entry)).join('\n'));
  expect(verifyExport(file)).toEqual({ code: 1, output: `Not verified: record ${target.id} was changed (line ${entries.indexOf(target) + 1}).` });

  // Cut: a place removed from a chain. How long each chain's part is depends on which chains the
  // records took; take one followed by another of its chain (a part of one entry cannot lose one
  // and stay a proof of something).
  const inChain = (entry: { type: string } | undefined) => entry?.type === 'link' || entry?.type === 'record';
  const middle = entries.findIndex((entry, i) => inChain(entries[i - 1]) && inChain(entry) && inChain(entries[i + 1]));
  const cut = middle > 0 ? middle : entries.findIndex((entry, i) => inChain(entry) && inChain(entries[i + 1]));
  expect(cut).toBeGreaterThan(0);
  const removed = entries[cut];
  const chain = entries.slice(0, cut).findLast((entry) => entry.type === 'chain');
  fs.writeFileSync(
    file,
    entries
      .filter((entry) => entry !== removed)
      .map((entry) => JSON.stringify(entry))
      .join('\n'),
  );
  // A place from the middle of a part is a gap; the first place of a part is where the file says it starts.
  const expected = middle > 0 ? `place ${removed.chain_seq} of chain ${chain.chain} is missing` : `chain ${chain.chain} must start at`;
  expect(verifyExport(file)).toMatchObject({ code: 1, output: expect.stringContaining(`Not verified: ${expected}`) });
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a proof is refused for filters it cannot honour, and needs a session', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('proof-filters'), password });
  const page = await signedInPage(browser, user.email);
  const refused = await page.request.get('/api/account/audit/export?format=proof&decision=DENY');
  expect(refused.status()).toBe(400);
  expect(await refused.json()).toMatchObject({ error: 'invalid_request', message: 'A proof covers every record of a time range: filter it by agent, from and to only.' });
  expect((await request.get('/api/account/audit/export?format=proof')).status()).toBe(401);
  // No records yet: a sealed, empty proof.
  const empty = (await (await page.request.get('/api/account/audit/export?format=proof')).text()).trim().split('\n');
  expect(empty.map((line) => JSON.parse(line).type)).toEqual(['header', 'seal']);
});
