// Mail through the operator's SMTP server (LEASH_SMTP_URL, nodemailer), text and HTML. Without one,
// the message is kept in the dev mailbox (dev_mailbox, shown to administrators at /settings/mailbox)
// so a fresh `npm start` shows what would have been sent. Bounded in time: a stuck SMTP server
// fails the delivery (recorded), never the request that caused it.
import 'server-only';
import nodemailer, { type Transporter } from 'nodemailer';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';

export type Mail = { to: string; subject: string; text: string; html: string };

const holder = globalThis as typeof globalThis & { leashMailer?: { url: string; transport: Transporter } };

function transport(url: string): Transporter {
  if (holder.leashMailer?.url !== url) {
    holder.leashMailer = { url, transport: nodemailer.createTransport(url, { connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10_000 }) };
  }
  return holder.leashMailer.transport;
}

/** Sends (or keeps) one message; answers what happened in words, or throws. */
export async function sendEmail({ to, subject, text, html }: Mail): Promise<string> {
  const mail = { to, subject, text, html };
  const { smtpUrl, mailFrom } = getConfig().notifications;
  if (!smtpUrl) {
    await db().devMail.create({ data: mail });
    return 'kept in the dev mailbox (no SMTP server configured)';
  }
  const info = await transport(smtpUrl).sendMail({ from: mailFrom, ...mail });
  if (info.rejected.length) throw new Error('the SMTP server refused the address');
  return 'accepted by the SMTP server';
}
