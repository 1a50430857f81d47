// Records a browser sign-in as a server-side session (see UserSession in prisma/schema/auth.prisma).
import 'server-only';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';

export async function createSession(options: { userId: string; acr: string; amr: string[]; ip: string; userAgent: string | null }): Promise<{ id: string; authTime: Date }> {
  const now = new Date();
  return db().userSession.create({
    data: {
      userId: options.userId,
      acr: options.acr,
      amr: options.amr,
      authTime: now,
      ip: options.ip,
      userAgent: options.userAgent?.slice(0, 512) ?? null,
      expiresAt: new Date(now.getTime() + getConfig().sessionMaxAge * 1000),
    },
    select: { id: true, authTime: true },
  });
}
