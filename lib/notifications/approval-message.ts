// What an approval notification says, the same on every channel: the agent (with its mark: client
// id or verified domain, so a look-alike shows), the action in words (RFC 9396 details as the
// consent screen renders them, else the scopes' descriptions), the agent's binding message (CIBA
// §7.1: the same words the agent shows on its side), its intent if stored, when it expires, and a
// link to the approval page. The link only opens the request: deciding needs the user's session
// and the second factor the request asks for (lib/approvals/decide-approval.ts), so a forwarded
// or intercepted message approves nothing. Pure.
import type { ApprovalForMessage } from '@/lib/notifications/load-approval';

export type ApprovalMessageKind = 'approval_requested' | 'approval_expiring';

export type ApprovalMessage = {
  subject: string;
  text: string;
  html: string;
  /** The Web Push payload the service worker shows (public/sw.js). */
  push: { title: string; body: string; url: string; tag: string };
};

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The action in words: the exact details first (a payment), else what each scope allows. */
export function actionWords(approval: Pick<ApprovalForMessage, 'details' | 'scopes'>): string[] {
  return approval.details.length ? approval.details : approval.scopes.map((s) => s.description);
}

export function composeApprovalMessage(approval: ApprovalForMessage, options: { kind: ApprovalMessageKind; issuer: string; timeZone: string; now: Date }): ApprovalMessage {
  const url = `${options.issuer}/approvals/${approval.id}`;
  const what = actionWords(approval);
  const expires = new Date(approval.expiresAt);
  const minutesLeft = Math.max(0, Math.ceil((expires.getTime() - options.now.getTime()) / 60_000));
  const at = new Intl.DateTimeFormat('en-GB', { timeZone: options.timeZone, hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(expires);
  const left = `${minutesLeft} minute${minutesLeft === 1 ? '' : 's'}`;
  const mark = approval.agentVerifiedDomain ?? approval.agentClientId;
  const subject =
    options.kind === 'approval_expiring'
      ? `Reminder: ${approval.agentName} is still waiting for your approval (${left} left)`
      : `${approval.agentName} asks for your approval: ${what[0] ?? 'more access'}`;
  const lines = [
    options.kind === 'approval_expiring' ? `${approval.agentName} is still waiting. The request expires in ${left}.` : `${approval.agentName} (${mark}) asks to:`,
    ...what.map((w) => `  - ${w}`),
    ...(approval.bindingMessage ? ['', `Its message: "${approval.bindingMessage}"`] : []),
    ...(approval.intent ? [`The instruction behind it: ${approval.intent}`] : []),
    '',
    `If you approve, the access lasts ${approval.windowMinutes} minutes. The request expires at ${at} (in ${left}).`,
    '',
    `Review it: ${url}`,
    '',
    'This link only opens the request. Approving needs you to be signed in and to confirm with your second factor; nothing is approved by opening it.',
    'If you did not expect this, deny it, or stop the agent from the Agents page.',
  ];
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111;max-width:560px">
<p>${options.kind === 'approval_expiring' ? `<strong>${escape(approval.agentName)}</strong> is still waiting. The request expires in ${left}.` : `<strong>${escape(approval.agentName)}</strong> <span style="color:#555">(${escape(mark)})</span> asks to:`}</p>
<ul>${what.map((w) => `<li><strong>${escape(w)}</strong></li>`).join('')}</ul>
${approval.bindingMessage ? `<p style="background:#f3f4f6;padding:8px 12px;border-radius:8px">&ldquo;${escape(approval.bindingMessage)}&rdquo;</p>` : ''}
${approval.intent ? `<p style="color:#555;font-size:13px">The instruction behind it: ${escape(approval.intent)}</p>` : ''}
<p>If you approve, the access lasts ${approval.windowMinutes} minutes. The request expires at ${escape(at)} (in ${left}).</p>
<p><a href="${escape(url)}" style="display:inline-block;background:#111;color:#fff;padding:10px 16px;border-radius:8px;text-decoration:none">Review the request</a></p>
<p style="color:#555;font-size:13px">This link only opens the request. Approving needs you to be signed in and to confirm with your second factor; nothing is approved by opening it.</p>
</body></html>`;
  return {
    subject,
    text: lines.join('\n'),
    html,
    push: {
      title: options.kind === 'approval_expiring' ? `${left} left to decide` : `${approval.agentName} asks for approval`,
      body: [what.join('; '), approval.bindingMessage ? `“${approval.bindingMessage}”` : null].filter(Boolean).join('\n'),
      url,
      tag: `approval-${approval.id}`,
    },
  };
}
