// Settings routes (issue 5):
// - POST /api/account/settings  the user's time zone and intent privacy (off / hash / full with a
//   retention period); applies to the next agent call; audited.
// - POST /api/admin/registration  an administrator opens or closes dynamic client registration.
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { getConfig } from '@/lib/config/config';
import { ApiError } from '@/lib/http/api-error';
import { sessionRoute } from '@/lib/endpoints/session-route';
import { registrationModeSchema, setRegistrationMode } from '@/lib/settings/deployment-settings';
import { ianaTimeZone } from '@/lib/policy/policy-document';
import { rescheduleDigestForTimeZone } from '@/lib/notifications/schedule-digest';

const settingsSchema = z.object({
  timeZone: ianaTimeZone,
  intentStorage: z.enum(['OFF', 'HASHED', 'FULL']),
  intentRetentionDays: z.number().int().min(1, 'At least 1 day.').max(365, 'At most 365 days.'),
});

function fieldErrors(error: z.ZodError) {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) (errors[String(issue.path[0] ?? 'form')] ??= []).push(issue.message);
  return errors;
}

export const handleUpdateSettings = sessionRoute(
  { signIn: 'Sign in to change your settings.', body: settingsSchema, invalid: (error) => new ApiError(400, 'invalid_request', 'Some settings are not valid.', fieldErrors(error)) },
  async ({ user, body, ip }) => {
    await db().$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: body });
      // The daily digest goes at an hour of the wall clock: a new time zone moves it.
      if (body.timeZone !== user.timeZone) await rescheduleDigestForTimeZone(tx, user.id);
      await appendAuditEvent(tx, {
        action: 'account.settings',
        decision: 'ALLOW',
        reason: `time zone ${body.timeZone}; intents ${body.intentStorage.toLowerCase()}${body.intentStorage === 'FULL' ? ` for ${body.intentRetentionDays} days` : ''}`,
        userId: user.id,
        ip,
        details: body,
      });
    });
    return { ok: true };
  },
);

export const handleSetRegistrationMode = sessionRoute(
  {
    signIn: 'Sign in as an administrator.',
    admin: 'Only an administrator can change deployment settings.',
    body: z.object({ mode: registrationModeSchema }),
    invalid: 'mode is open, token or off.',
  },
  async ({ user, body, ip }) => {
    if (body.mode === 'token' && !getConfig().registration.token) {
      throw new ApiError(400, 'invalid_request', 'Token-protected registration needs LEASH_REGISTRATION_TOKEN in the environment.');
    }
    await setRegistrationMode(body.mode, { id: user.id, ip });
    return { mode: body.mode };
  },
);
