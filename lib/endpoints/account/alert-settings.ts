// The user's alert settings (Settings → Alerts):
// - GET  /api/account/alert-settings                the thresholds, webhook URL, auto-suspend level
// - PUT  /api/account/alert-settings                {thresholds, webhookUrl, autoSuspend} (audited)
// - POST /api/account/alert-settings/webhook-secret a new signing secret, shown once (audited)
// The webhook URL must be https and name a public host (the SSRF guard checks again at delivery).
import 'server-only';
import crypto from 'node:crypto';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { getAlertSettings, thresholdsSchema } from '@/lib/alerts/alert-settings';
import { getConfig } from '@/lib/config/config';
import { checkTarget } from '@/lib/http/safe-fetch';
import { sealSecret } from '@/lib/keys/key-encryption';
import { ApiError } from '@/lib/http/api-error';
import { sessionRoute } from '@/lib/endpoints/session-route';

const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      // The delivery's own guard, checked at save time too (names are checked again as they resolve).
      return checkTarget(url, getConfig().webhookAllowlist) || (!url.username && !url.password && url.hostname !== 'localhost');
    } catch {
      return false;
    }
  }, 'Use an https URL on a public host.');

const settingsSchema = z.object({
  thresholds: thresholdsSchema,
  webhookUrl: webhookUrl.nullable(),
  autoSuspend: z.enum(['INFO', 'WARNING', 'CRITICAL']).nullable(),
});

const signIn = 'Sign in first.';

export const handleGetAlertSettings = sessionRoute({ signIn }, ({ user }) => getAlertSettings(user.id));

export const handleUpdateAlertSettings = sessionRoute(
  {
    signIn,
    body: settingsSchema,
    invalid: (error) => {
      const errors: Record<string, string[]> = {};
      for (const issue of error.issues) (errors[issue.path.join('.') || 'form'] ??= []).push(issue.message);
      return new ApiError(400, 'invalid_request', 'Some alert settings are not valid.', errors);
    },
  },
  async ({ user, body, ip }) => {
    const data = { thresholds: body.thresholds, webhookUrl: body.webhookUrl, autoSuspend: body.autoSuspend };
    await db().$transaction(async (tx) => {
      await tx.alertSettings.upsert({ where: { userId: user.id }, create: { userId: user.id, ...data }, update: data });
      await appendAuditEvent(tx, {
        action: 'account.alert_settings',
        decision: 'ALLOW',
        reason: `alert settings saved${data.webhookUrl ? '; webhook set' : ''}${data.autoSuspend ? `; auto-suspend from ${data.autoSuspend.toLowerCase()}` : ''}`,
        userId: user.id,
        ip,
        details: data,
      });
    });
    return getAlertSettings(user.id);
  },
);

export const handleNewWebhookSecret = sessionRoute({ signIn }, async ({ user, ip }) => {
  const secret = `whsec_${crypto.randomBytes(32).toString('base64url')}`;
  const sealed = sealSecret(`webhook:${user.id}`, secret);
  const current = await getAlertSettings(user.id);
  await db().$transaction(async (tx) => {
    await tx.alertSettings.upsert({
      where: { userId: user.id },
      create: { userId: user.id, thresholds: current.thresholds, webhookSecretSealed: sealed },
      update: { webhookSecretSealed: sealed },
    });
    await appendAuditEvent(tx, { action: 'account.webhook_secret', decision: 'ALLOW', reason: 'a new webhook signing secret was made', userId: user.id, ip });
  });
  return { secret };
});
