// Who to ask for a password reset on a development set-up: the demo account, which is seeded as
// the administrator when the issuer is http://localhost (scripts/lib/seed-demo.ts, README "Demo
// account"). Named on the sign-in help only there, and only while it really is an administrator;
// a deployment's administrators are never listed to signed-out visitors.
import 'server-only';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';

/** The documented demo account (scripts/lib/seed-demo.ts DEMO_ACCOUNT). */
const DEMO_EMAIL = 'demo@leash.dev';

export async function findDevelopmentAdministrator(): Promise<string | null> {
  const config = getConfig();
  if (!config.demo || config.secure) return null;
  const demo = await db().user.findFirst({ where: { email: DEMO_EMAIL, role: 'ADMIN', status: 'ACTIVE' }, select: { email: true } });
  return demo?.email ?? null;
}
