// For unit tests against the real database: a fresh user and an agent of theirs, with names that
// cannot collide with another test's (the rows are left for the test database to be thrown away).
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';

export async function createUserWithAgent(label: string, agentName: string): Promise<{ userId: string; agentId: string }> {
  const suffix = crypto.randomBytes(4).toString('hex');
  const userId = (await db().user.create({ data: { email: `${label}-${suffix}@example.test`, passwordHash: 'x' }, select: { id: true } })).id;
  const agentId = (await db().agent.create({ data: { clientId: `${label}-${suffix}`, name: agentName, registration: 'DCR' }, select: { id: true } })).id;
  return { userId, agentId };
}
