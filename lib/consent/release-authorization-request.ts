// "Not you? Switch account": the person the consent screen was opened for hands the pending
// request back, so that whoever signs in next can open it (opening binds a request to one user,
// lib/consent/open-consent.ts). Only that person can, with the consent token of the screen they
// saw; a request already decided or expired stays as it is.
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { hashToken } from '@/lib/tokens/opaque-token';

export async function releaseAuthorizationRequest(options: { id: string; userId: string; consentToken: string }): Promise<boolean> {
  const { count } = await db().authorizationRequest.updateMany({
    where: {
      id: options.id,
      userId: options.userId,
      status: 'PENDING',
      expiresAt: { gt: new Date() },
      consentTokenHash: hashToken(options.consentToken),
    },
    // A fresh random hash: the old screen's token is void, and a new one comes with the next opening.
    data: { userId: null, sessionId: null, consentTokenHash: hashToken(crypto.randomBytes(32).toString('base64url')) },
  });
  return count === 1;
}
