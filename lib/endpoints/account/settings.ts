// Settings routes (issue 5):
// - POST /api/account/settings  the user's time zone and intent privacy (off / hash / full with a
//   retention period); applies to the next agent call; audited.
// - POST /api/admin/registration  an administrator opens or closes dynamic client registration.
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { getCurrentUser } from '@/lib/auth/session';
import { getConfig } from '@/lib/config/config';
import { ApiError, apiErrorResponse, readJsonBody } from '@/lib/http/api-error';
import { clientIp } from '@/lib/http/client-ip';
import { registrationModeSchema, setRegistrationMode } from '@/lib/settings/deployment-settings';
import { ianaTimeZone } from '@/lib/policy/policy-document';

const noStore = { 'Cache-Control': 'no-store' };

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

export async function handleUpdateSettings(request: Request): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to change your settings.');
    const parsed = settingsSchema.safeParse(await readJsonBody(request));
    if (!parsed.success) throw new ApiError(400, 'invalid_request', 'Some settings are not valid.', fieldErrors(parsed.error));
    await db().$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: parsed.data });
      await appendAuditEvent(tx, {
        action: 'account.settings',
        decision: 'ALLOW',
        reason: `time zone ${parsed.data.timeZone}; intents ${parsed.data.intentStorage.toLowerCase()}${parsed.data.intentStorage === 'FULL' ? ` for ${parsed.data.intentRetentionDays} days` : ''}`,
        userId: user.id,
        ip: clientIp(request.headers),
        details: parsed.data,
      });
    });
    return Response.json({ ok: true }, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

export async function handleSetRegistrationMode(request: Request): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in as an administrator.');
    if (user.role !== 'ADMIN') throw new ApiError(403, 'forbidden', 'Only an administrator can change deployment settings.');
    const parsed = z.object({ mode: registrationModeSchema }).safeParse(await readJsonBody(request));
    if (!parsed.success) throw new ApiError(400, 'invalid_request', 'mode is open, token or off.');
    if (parsed.data.mode === 'token' && !getConfig().registration.token) {
      throw new ApiError(400, 'invalid_request', 'Token-protected registration needs LEASH_REGISTRATION_TOKEN in the environment.');
    }
    await setRegistrationMode(parsed.data.mode, { id: user.id, ip: clientIp(request.headers) });
    return Response.json({ mode: parsed.data.mode }, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}
