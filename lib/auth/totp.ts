// The TOTP second factor (RFC 6238, via otplib): enrolment (a secret shown once as a QR code,
// confirmed by a first code, with ten one-time recovery codes), verification with a ±1 step
// window that never accepts a time step twice (a code seen on a shoulder is spent), and the
// step-up of the current session to `urn:leash:acr:mfa`. Secrets are sealed at rest.
import 'server-only';
import crypto from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { ACR } from '@/lib/auth/assurance';
import { openSecret, sealSecret } from '@/lib/keys/key-encryption';

const RECOVERY_CODES = 10;
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
const normalizeRecovery = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

export async function startTotpEnrolment(user: { id: string; email: string }): Promise<{ uri: string; qrSvg: string; secret: string }> {
  const secret = generateSecret();
  await db().user.update({ where: { id: user.id }, data: { totpPendingSealed: sealSecret(`totp:${user.id}`, secret) } });
  const uri = generateURI({ issuer: 'Leash', label: user.email, secret });
  return { uri, secret, qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 1 }) };
}

/** Checks a code against a sealed secret; on success remembers the step so it is never reused. */
async function checkCode(userId: string, sealed: string, token: string, lastStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(token)) return null;
  const secret = openSecret(`totp:${userId}`, sealed);
  const result = await verify({ secret, token, epochTolerance: 30, ...(lastStep !== null ? { afterTimeStep: lastStep } : {}) });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

export async function confirmTotpEnrolment(userId: string, token: string, ip: string): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false }> {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { totpPendingSealed: true } });
  if (!user.totpPendingSealed) return { ok: false };
  const step = await checkCode(userId, user.totpPendingSealed, token, null);
  if (step === null) return { ok: false };
  const recoveryCodes = Array.from({ length: RECOVERY_CODES }, () => {
    const raw = crypto.randomBytes(5).toString('hex');
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
  await db().$transaction(async (tx) => {
    await tx.user.update({
      where: { id: userId },
      data: { totpSecretSealed: user.totpPendingSealed, totpPendingSealed: null, totpEnabledAt: new Date(), totpLastStep: step },
    });
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await tx.recoveryCode.createMany({ data: recoveryCodes.map((code) => ({ userId, codeHash: sha256(normalizeRecovery(code)) })) });
    await appendAuditEvent(tx, { action: 'factor.totp_enrol', decision: 'ALLOW', reason: 'authenticator app enrolled', userId, ip });
  });
  return { ok: true, recoveryCodes };
}

/** A TOTP code (or a recovery code, spent on use) for a user with TOTP enrolled. */
export async function verifySecondFactor(userId: string, code: string): Promise<'totp' | 'recovery' | null> {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { totpSecretSealed: true, totpLastStep: true } });
  if (!user.totpSecretSealed) return null;
  const typed = code.trim();
  const step = await checkCode(userId, user.totpSecretSealed, typed.replace(/\s/g, ''), user.totpLastStep);
  if (step !== null) {
    // Compare-and-swap on the last step: of two concurrent uses of one code, one wins.
    const claimed = await db().user.updateMany({
      where: { id: userId, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
      data: { totpLastStep: step },
    });
    return claimed.count === 1 ? 'totp' : null;
  }
  const used = await db().recoveryCode.updateMany({ where: { userId, codeHash: sha256(normalizeRecovery(typed)), usedAt: null }, data: { usedAt: new Date() } });
  return used.count === 1 ? 'recovery' : null;
}

/** Raises the current session's assurance (RFC 9470 step-up): multi-factor, or phishing-resistant with a passkey. Audited. */
export async function stepUpSession(options: { userId: string; sessionId: string; method: 'totp' | 'recovery' | 'passkey'; ip: string }) {
  const AMR = { totp: ['pwd', 'otp'], recovery: ['pwd', 'kba'], passkey: ['pwd', 'hwk', 'user'] } as const;
  const WORDS = { totp: 'authenticator app', recovery: 'recovery code', passkey: 'passkey' } as const;
  await db().$transaction(async (tx) => {
    await tx.userSession.update({
      where: { id: options.sessionId, userId: options.userId },
      data: { acr: options.method === 'passkey' ? ACR.phishingResistant : ACR.mfa, amr: [...AMR[options.method]] },
    });
    await appendAuditEvent(tx, {
      action: 'session.step_up',
      decision: 'ALLOW',
      reason: `second factor verified (${WORDS[options.method]})`,
      userId: options.userId,
      ip: options.ip,
    });
  });
}

export async function disableTotp(userId: string, ip: string) {
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { totpSecretSealed: null, totpPendingSealed: null, totpEnabledAt: null, totpLastStep: null } });
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await appendAuditEvent(tx, { action: 'factor.totp_remove', decision: 'ALLOW', reason: 'authenticator app removed', userId, ip });
  });
}
