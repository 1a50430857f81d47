// The dev mailbox (mail kept when LEASH_SMTP_URL is unset), newest first, for the administrators' page.
import 'server-only';
import { db } from '@/lib/db/client';

export async function listDevMail(options: { take?: number } = {}) {
  return db().devMail.findMany({ orderBy: { createdAt: 'desc' }, take: options.take ?? 50, select: { id: true, to: true, subject: true, text: true, createdAt: true } });
}
