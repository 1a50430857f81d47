// Passkeys (WebAuthn, via @simplewebauthn/server): the phishing-resistant second factor. The
// relying party is the issuer's host and the only accepted origin is the issuer's, so a look-alike
// site cannot use the credential (the reason it earns `urn:leash:acr:phr`). Each ceremony answers
// a fresh challenge held on the user's server-side session, used once, for two minutes. User
// verification is required; the signature counter is checked and stored.
import 'server-only';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { getConfig } from '@/lib/config/config';

const CHALLENGE_MS = 2 * 60_000;

function relyingParty() {
  const origin = new URL(getConfig().issuer);
  return { rpID: origin.hostname, origin: origin.origin };
}

async function holdChallenge(sessionId: string, challenge: string) {
  await db().userSession.update({ where: { id: sessionId }, data: { webauthnChallenge: challenge, webauthnChallengeExpiresAt: new Date(Date.now() + CHALLENGE_MS) } });
}

export async function passkeyRegistrationOptions(user: { id: string; email: string; sessionId: string }) {
  const existing = await db().passkey.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  const options = await generateRegistrationOptions({
    rpName: 'Leash',
    rpID: relyingParty().rpID,
    userName: user.email,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
  });
  await holdChallenge(user.sessionId, options.challenge);
  return options;
}

export async function registerPasskey(user: { id: string; sessionId: string }, response: RegistrationResponseJSON, name: string, ip: string): Promise<boolean> {
  const challenge = await consumeChallenge(user.sessionId);
  if (!challenge) return false;
  const { rpID, origin } = relyingParty();
  const verified = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true }).catch(() => null);
  if (!verified?.verified || !verified.registrationInfo) return false;
  const { credential } = verified.registrationInfo;
  await db().$transaction(async (tx) => {
    await tx.passkey.create({
      data: { userId: user.id, credentialId: credential.id, publicKey: Buffer.from(credential.publicKey), counter: BigInt(credential.counter), transports: credential.transports ?? [], name },
    });
    await appendAuditEvent(tx, { action: 'factor.passkey_enrol', decision: 'ALLOW', reason: `passkey "${name}" added`, userId: user.id, ip });
  });
  return true;
}

/**
 * `bindTo`: a digest of what this assertion approves (32 bytes). The challenge is then 16 random
 * bytes followed by it, so the authenticator's signature over clientDataJSON covers exactly that
 * decision (dynamic linking, as PSD2 strong customer authentication asks), and verifyPasskey checks it.
 */
export async function passkeyAuthenticationOptions(user: { id: string; sessionId: string }, bindTo?: Uint8Array) {
  const passkeys = await db().passkey.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  if (!passkeys.length) return null;
  const options = await generateAuthenticationOptions({
    ...(bindTo ? { challenge: new Uint8Array([...crypto.getRandomValues(new Uint8Array(16)), ...bindTo]) } : {}),
    rpID: relyingParty().rpID,
    allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
    userVerification: 'required',
  });
  await holdChallenge(user.sessionId, options.challenge);
  return options;
}

/**
 * Verifies a passkey assertion for this user's session; true when it proves the user is here (and,
 * with `boundTo`, that the challenge it signed was made for exactly that decision).
 */
export async function verifyPasskey(user: { id: string; sessionId: string }, response: AuthenticationResponseJSON, boundTo?: Uint8Array): Promise<boolean> {
  const challenge = await consumeChallenge(user.sessionId);
  if (!challenge) return false;
  if (boundTo && !Buffer.from(challenge, 'base64url').subarray(16).equals(Buffer.from(boundTo))) return false;
  const passkey = await db().passkey.findFirst({ where: { userId: user.id, credentialId: response.id } });
  if (!passkey) return false;
  const { rpID, origin } = relyingParty();
  const verified = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: true,
    credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: Number(passkey.counter), transports: passkey.transports as AuthenticatorTransport[] },
  }).catch(() => null);
  if (!verified?.verified) return false;
  await db().passkey.update({ where: { id: passkey.id }, data: { counter: BigInt(verified.authenticationInfo.newCounter), lastUsedAt: new Date() } });
  return true;
}

/** Reads and clears the session's challenge in one statement (single use under concurrency). */
async function consumeChallenge(sessionId: string): Promise<string | null> {
  const rows = await db().$queryRaw<{ challenge: string | null }[]>`
    UPDATE user_sessions s SET webauthn_challenge = NULL, webauthn_challenge_expires_at = NULL
      FROM (SELECT id, webauthn_challenge, webauthn_challenge_expires_at FROM user_sessions WHERE id = ${sessionId}::uuid FOR UPDATE) old
     WHERE s.id = old.id AND old.webauthn_challenge IS NOT NULL AND old.webauthn_challenge_expires_at > now()
    RETURNING old.webauthn_challenge AS challenge`;
  return rows[0]?.challenge ?? null;
}
