// Second-factor routes (issue 6, step-up):
// - POST /api/account/totp/start     a new secret and its QR code (pending until confirmed)
// - POST /api/account/totp/confirm   {code} → enrolled, with ten recovery codes shown once
// - POST /api/account/totp/remove    {code} → removed (needs a current code)
// - POST /api/account/step-up        {code} → this session becomes multi-factor (acr mfa)
// - POST /api/account/reauthenticate {password} → this session's auth_time is now
// - POST /api/account/passkeys/{register-options,register,step-up-options,step-up}: WebAuthn
// Wrong codes are limited per user (PostgreSQL counters, shared by instances).
import 'server-only';
import { z } from 'zod';
import { confirmTotpEnrolment, disableTotp, startTotpEnrolment, stepUpSession, verifySecondFactor } from '@/lib/auth/totp';
import { reauthenticateSession } from '@/lib/auth/reauthenticate-session';
import { passkeyAuthenticationOptions, passkeyRegistrationOptions, registerPasskey, verifyPasskey } from '@/lib/auth/passkeys';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { authenticatePassword } from '@/lib/auth/authenticate-password';
import { ApiError, readJsonBody } from '@/lib/http/api-error';
import { sessionRoute } from '@/lib/endpoints/session-route';
import { clientIp } from '@/lib/http/client-ip';
import { postgresLimiter } from '@/lib/http/postgres-limiter';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { emitEvent } from '@/lib/events/leash-events';

const WRONG_CODES = 5;
let limiter: ReturnType<typeof postgresLimiter> | undefined;
const wrongCodes = () => (limiter ??= postgresLimiter({ keyPrefix: 'factor:wrong-code', points: WRONG_CODES, duration: 15 * 60 }));

async function checkCodeLimit(userId: string): Promise<void> {
  const used = await wrongCodes().get(userId);
  if (used && used.consumedPoints >= WRONG_CODES) {
    throw new ApiError(429, 'rate_limited', `Too many wrong codes. Try again in ${Math.ceil(used.msBeforeNext / 60_000)} minutes.`);
  }
}

/**
 * A code typed to confirm one thing (an approval): limited per user like step-up codes, a wrong
 * one audited and answered 400. Answers which factor it was.
 */
export async function verifyTypedCode(request: Request, userId: string, code: string): Promise<'totp' | 'recovery'> {
  await checkCodeLimit(userId);
  const method = await verifySecondFactor(userId, code);
  if (!method) return wrongCode(userId, request);
  await wrongCodes().delete(userId);
  return method;
}

async function codeFrom(request: Request, userId: string): Promise<string> {
  await checkCodeLimit(userId);
  const parsed = z.object({ code: z.string().trim().min(6).max(20) }).safeParse(await readJsonBody(request));
  if (!parsed.success) throw new ApiError(400, 'invalid_request', 'Type the 6-digit code from your authenticator app.', { code: ['Required.'] });
  return parsed.data.code;
}

/**
 * A failed confirmation of the user's identity (code, passkey or password), audited, then told to
 * the alert rules (the step-up failures rule counts these rows).
 */
export async function recordFailure(request: Request, userId: string, what: string): Promise<void> {
  await appendAuditEventGrouped({ action: 'step_up.fail', decision: 'DENY', reason: `${what} was not right`, userId, ip: clientIp(request.headers) });
  void emitEvent('step_up.failed', { userId });
}

async function wrongCode(userId: string, request?: Request): Promise<never> {
  await wrongCodes().penalty(userId, 1);
  if (request) await recordFailure(request, userId, 'the authenticator code');
  throw new ApiError(400, 'invalid_request', 'That code is not right, or it was already used. Wait for the next one and try again.', { code: ['Not valid.'] });
}

const signIn = 'Sign in first.';
const authenticatorResponse = { response: z.record(z.string(), z.unknown()) };

export const handleTotpStart = sessionRoute({ signIn }, async ({ user }) => {
  const enrolment = await startTotpEnrolment(user);
  return { uri: enrolment.uri, secret: enrolment.secret, qr_svg: enrolment.qrSvg };
});

export const handleTotpConfirm = sessionRoute({ signIn }, async ({ request, user, ip }) => {
  const code = await codeFrom(request, user.id);
  const confirmed = await confirmTotpEnrolment(user.id, code.replace(/\s/g, ''), ip);
  if (!confirmed.ok) return wrongCode(user.id);
  return { recovery_codes: confirmed.recoveryCodes };
});

export const handleTotpRemove = sessionRoute({ signIn }, async ({ request, user, ip }) => {
  const code = await codeFrom(request, user.id);
  if (!(await verifySecondFactor(user.id, code))) return wrongCode(user.id);
  await disableTotp(user.id, ip);
  return { removed: true };
});

export const handleStepUp = sessionRoute({ signIn }, async ({ request, user, ip }) => {
  const code = await codeFrom(request, user.id);
  const method = await verifySecondFactor(user.id, code);
  if (!method) return wrongCode(user.id, request);
  await wrongCodes().delete(user.id);
  await stepUpSession({ userId: user.id, sessionId: user.sessionId, method, ip });
  return { acr: 'urn:leash:acr:mfa' };
});

/** POST /api/account/reauthenticate {password}: prove the password again (prompt=login, max_age). */
export const handleReauthenticate = sessionRoute({ signIn }, async ({ request, user, ip }) => {
  const body = await readJsonBody(request);
  const result = await authenticatePassword({ email: user.email, password: body.password, ip });
  if (!result.ok) {
    if (result.reason === 'rate_limited') throw new ApiError(429, 'rate_limited', `Too many attempts. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minutes.`);
    await recordFailure(request, user.id, 'the password');
    throw new ApiError(400, 'invalid_request', 'That password is not right.', { password: ['Not right.'] });
  }
  await reauthenticateSession({ userId: user.id, sessionId: user.sessionId, ip });
  return { ok: true };
});

// Passkeys: the browser runs each WebAuthn ceremony between an options call and a verify call.
export const handlePasskeyRegisterOptions = sessionRoute({ signIn }, ({ user }) => passkeyRegistrationOptions(user));

export const handlePasskeyRegister = sessionRoute(
  { signIn, body: z.object({ ...authenticatorResponse, name: z.string().trim().min(1).max(60).default('Passkey') }), invalid: 'Send the authenticator response.' },
  async ({ user, body, ip }) => {
    const ok = await registerPasskey(user, body.response as unknown as RegistrationResponseJSON, body.name, ip);
    if (!ok) throw new ApiError(400, 'invalid_request', 'The passkey could not be verified. Try again.');
    return { ok: true };
  },
);

export const handlePasskeyStepUpOptions = sessionRoute({ signIn }, async ({ user }) => {
  const options = await passkeyAuthenticationOptions(user);
  if (!options) throw new ApiError(404, 'not_found', 'You have no passkey yet: add one in Settings.');
  return options;
});

export const handlePasskeyStepUp = sessionRoute({ signIn, body: z.object(authenticatorResponse), invalid: 'Send the authenticator response.' }, async ({ request, user, body, ip }) => {
  if (!(await verifyPasskey(user, body.response as unknown as AuthenticationResponseJSON))) {
    await recordFailure(request, user.id, 'the passkey');
    throw new ApiError(400, 'invalid_request', 'The passkey could not be verified. Try again.');
  }
  await stepUpSession({ userId: user.id, sessionId: user.sessionId, method: 'passkey', ip });
  return { acr: 'urn:leash:acr:phr' };
});
