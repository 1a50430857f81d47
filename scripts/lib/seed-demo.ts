// Seeds the documented demo account once per data folder (README "Demo account").
// A marker file remembers it was done, so a demo account the user deleted is not recreated.
// On a development set-up (an http://localhost issuer) the demo account is the administrator, so
// that the person trying Leash can reach the administrators' settings (password resets,
// registration). Never with an https issuer: its password is public.
import fs from 'node:fs';
import path from 'node:path';
import { createAccount } from '../../lib/auth/create-account';
import { getConfig } from '../../lib/config/config';
import { db } from '../../lib/db/client';
import { seedWorkspace } from '../../lib/workspace/seed-workspace';

export const DEMO_ACCOUNT = { email: 'demo@leash.dev', password: 'correct-horse-battery', name: 'Demo User' };

export async function seedDemoAccount(dataDir: string): Promise<'created' | 'exists' | 'skipped'> {
  const marker = path.join(dataDir, 'demo-seeded');
  if (fs.existsSync(marker)) return 'skipped';
  const result = await createAccount(DEMO_ACCOUNT, seedWorkspace);
  if (!result.ok && result.reason !== 'email_taken') {
    throw new Error(`Could not create the demo account: ${JSON.stringify(result)}`);
  }
  if (result.ok && !getConfig().secure) await db().user.update({ where: { id: result.user.id }, data: { role: 'ADMIN' } });
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(marker, new Date().toISOString() + '\n');
  return result.ok ? 'created' : 'exists';
}
