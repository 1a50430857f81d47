// What the daily digest says (lib/notifications/digest-clock.ts sends it): the window in the
// person's time zone, the totals, then one block per agent (its name and mark as the dashboard
// shows them; calls allowed, refused and held; approvals asked and how they ended; alerts by
// severity) with a link to the audit log filtered to that agent and exactly that window (the
// audit page's own `agent`, `from` and `to` parameters, app/(dashboard)/audit/page.tsx), so the
// link shows the rows the numbers count. Text and HTML; in the HTML every name is escaped: an
// agent names itself, and a name made of markup must read as text. Pure.

export type AgentActivity = {
  /** Null for the alerts about the account rather than one agent. */
  agentId: string | null;
  name: string;
  /** What tells the agent from a look-alike (its verified domain or the end of its client id), as the dashboard shows it. */
  mark: string | null;
  calls: { allowed: number; refused: number; held: number };
  approvals: { approved: number; denied: number; expired: number; pending: number };
  alerts: { critical: number; warning: number; info: number };
};

export const approvalsAsked = (a: AgentActivity['approvals']) => a.approved + a.denied + a.expired + a.pending;
export const alertsRaised = (a: AgentActivity['alerts']) => a.critical + a.warning + a.info;

export type DigestMessage = { subject: string; text: string; html: string };

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
const list = (parts: (string | null)[]) => parts.filter((p): p is string => p !== null).join(', ');

/** The audit screen filtered to one agent and the window. */
export function auditLink(issuer: string, agentId: string, from: Date, to: Date): string {
  return `${issuer}/audit?${new URLSearchParams({ agent: agentId, from: from.toISOString(), to: to.toISOString() })}`;
}

export function callWords(calls: AgentActivity['calls']): string {
  if (!calls.allowed && !calls.refused && !calls.held) return 'none';
  return list([`${calls.allowed} allowed`, `${calls.refused} refused`, calls.held ? `${calls.held} held for a second factor or your approval` : null]);
}

/** How the approvals ended: "1 approved, 1 denied". */
function outcomeWords(approvals: AgentActivity['approvals']): string {
  return list([
    approvals.approved ? `${approvals.approved} approved` : null,
    approvals.denied ? `${approvals.denied} denied` : null,
    approvals.expired ? `${approvals.expired} expired` : null,
    approvals.pending ? `${approvals.pending} still pending` : null,
  ]);
}

export function approvalWords(approvals: AgentActivity['approvals']): string {
  return `${approvalsAsked(approvals)} asked: ${outcomeWords(approvals)}`;
}

export function alertWords(alerts: AgentActivity['alerts']): string {
  return list([alerts.critical ? `${alerts.critical} critical` : null, alerts.warning ? plural(alerts.warning, 'warning') : null, alerts.info ? `${alerts.info} informational` : null]);
}

/** The window's end in words, in the person's time zone: "09:00 on Sunday 6 December (Europe/Paris)". */
function endWords(to: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }).formatToParts(to);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('hour')}:${part('minute')} on ${part('weekday')} ${part('day')} ${part('month')} (${timeZone})`;
}

export function composeDigest(activity: AgentActivity[], options: { issuer: string; timeZone: string; from: Date; to: Date }): DigestMessage {
  const calls = { allowed: 0, refused: 0, held: 0 };
  const approvals = { approved: 0, denied: 0, expired: 0, pending: 0 };
  const alerts = { critical: 0, warning: 0, info: 0 };
  for (const a of activity) {
    for (const k of ['allowed', 'refused', 'held'] as const) calls[k] += a.calls[k];
    for (const k of ['approved', 'denied', 'expired', 'pending'] as const) approvals[k] += a.approvals[k];
    for (const k of ['critical', 'warning', 'info'] as const) alerts[k] += a.alerts[k];
  }
  const callTotal = calls.allowed + calls.refused + calls.held;
  const asked = approvalsAsked(approvals);
  const raised = alertsRaised(alerts);
  const window = endWords(options.to, options.timeZone);
  const totals = list([
    callTotal ? `${plural(calls.allowed, 'call')} allowed, ${calls.refused} refused${calls.held ? `, ${calls.held} held` : ''}` : 'no calls',
    asked ? `${plural(asked, 'approval')} asked (${outcomeWords(approvals)})` : null,
    raised ? `${plural(raised, 'alert')} (${alertWords(alerts)})` : null,
  ]);
  const settings = `${options.issuer}/settings#notifications`;

  const blocks = activity.map((a) => {
    const lines = [
      `Calls: ${callWords(a.calls)}`,
      approvalsAsked(a.approvals) ? `Approvals: ${approvalWords(a.approvals)}` : null,
      alertsRaised(a.alerts) ? `Alerts: ${alertWords(a.alerts)}` : null,
    ].filter((l): l is string => l !== null);
    const link = a.agentId ? auditLink(options.issuer, a.agentId, options.from, options.to) : `${options.issuer}/alerts`;
    return { a, title: a.mark ? `${a.name} (${a.mark})` : a.name, lines, link, linkWords: a.agentId ? 'Its audit log for these 24 hours' : 'Your alerts' };
  });

  const text = [
    `What your agents did in the 24 hours to ${window}.`,
    '',
    `In all: ${totals}.`,
    ...blocks.flatMap((b) => ['', b.title, ...b.lines.map((l) => `  ${l}`), `  ${b.linkWords}: ${b.link}`]),
    '',
    `This digest comes once a day when something happened. Turn it off or change its hour: ${settings}`,
  ].join('\n');

  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111;max-width:600px">
<p>What your agents did in the 24 hours to ${escape(window)}.</p>
<p><strong>In all:</strong> ${escape(totals)}.</p>
${blocks
  .map(
    (b) => `<div style="border:1px solid #e5e7eb;border-radius:8px;padding:8px 12px;margin:12px 0">
<p style="margin:0 0 4px"><strong>${escape(b.a.name)}</strong>${b.a.mark ? ` <span style="color:#555">(${escape(b.a.mark)})</span>` : ''}</p>
<ul style="margin:0;padding-left:20px">${b.lines.map((l) => `<li>${escape(l)}</li>`).join('')}</ul>
<p style="margin:4px 0 0"><a href="${escape(b.link)}">${escape(b.linkWords)}</a></p>
</div>`,
  )
  .join('\n')}
<p style="color:#555;font-size:13px">This digest comes once a day when something happened. <a href="${escape(settings)}">Turn it off or change its hour</a>.</p>
</body></html>`;

  return { subject: `Leash daily digest: ${totals}`.slice(0, 200), text, html };
}
