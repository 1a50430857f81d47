// "Not you? Switch account": the person the consent screen was opened for hands the pending
// request back, so that whoever signs in next can open it (opening binds a request to one user,
// lib/consent/open-consent.ts). Only that person can, with the consent token of the screen they
// saw; a request already decided or expired stays as it is.
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { hashToken } from '@/lib/tokens/opaque-token';
import { releaseRequest } from '@/lib/oauth/authorization-request-states';

export async function releaseAuthorizationRequest(options: { id: string; userId: string; consentToken: string }): Promise<boolean> {
  return releaseRequest(db(), {
    id: options.id,
    userId: options.userId,
    consentTokenHash: hashToken(options.consentToken),
    // A fresh random hash: the old screen's token is void, and a new one comes with the next opening.
    newConsentTokenHash: hashToken(crypto.randomBytes(32).toString('base64url')),
  });
}
