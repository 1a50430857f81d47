// Deployment switches an administrator can flip at run time (Settings → Deployment), stored in
// PostgreSQL so every instance sees the change on its next request. The environment gives the
// default (LEASH_REGISTRATION); a stored value overrides it. Each change is audited.
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';

export const registrationModeSchema = z.enum(['open', 'token', 'off']);
export type RegistrationMode = z.infer<typeof registrationModeSchema>;

/** Dynamic client registration as it is now: the administrator's choice, else the environment's. */
export async function registrationMode(): Promise<RegistrationMode> {
  const row = await db().deploymentSetting.findUnique({ where: { key: 'registration_mode' }, select: { value: true } });
  const stored = registrationModeSchema.safeParse(row?.value);
  return stored.success ? stored.data : getConfig().registration.mode;
}

export async function setRegistrationMode(mode: RegistrationMode, admin: { id: string; ip: string }): Promise<void> {
  await db().$transaction(async (tx) => {
    await tx.deploymentSetting.upsert({
      where: { key: 'registration_mode' },
      create: { key: 'registration_mode', value: mode, updatedById: admin.id },
      update: { value: mode, updatedById: admin.id },
    });
    await appendAuditEvent(tx, {
      action: 'deployment.registration_mode',
      decision: 'ALLOW',
      reason: `dynamic client registration set to ${mode}`,
      userId: admin.id,
      ip: admin.ip,
      details: { mode },
    });
  });
}
