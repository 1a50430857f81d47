// A bare authorization request row for integration tests of what hangs off one (codes, tokens):
// no consent screen, no PKCE verifier anyone holds.
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';

export async function createTestAuthorizationRequest(agentId: string, status: 'PENDING' | 'APPROVED' = 'PENDING'): Promise<string> {
  const id = crypto.randomUUID();
  await db().authorizationRequest.create({
    data: {
      id,
      agentId,
      status,
      redirectUri: 'http://localhost/cb',
      redirectUriSent: true,
      scopes: [],
      resources: [],
      codeChallenge: 'x',
      acrValues: [],
      consentTokenHash: crypto.randomUUID(),
      expiresAt: new Date(Date.now() + 60_000),
    },
  });
  return id;
}
