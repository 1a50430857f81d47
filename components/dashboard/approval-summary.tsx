// Who asks and exactly what, as the inbox card and the review page both show it: the agent with
// the mark that tells it from a look-alike, the payment or access in words, why, and for how long.
import { AgentAvatar } from '@/components/ui/agent-avatar';
import { AgentMark } from '@/components/ui/agent-mark';
import { Alert } from '@/components/ui/alert';
import type { PendingApproval } from '@/lib/approvals/list-pending-approvals';

export function remaining(ms: number) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function ApprovalSummary({ approval, now }: { approval: PendingApproval; now: number }) {
  return (
    <>
      <div className="flex items-start gap-3">
        <AgentAvatar name={approval.agentName} logoUri={approval.agentLogoUri} size="sm" />
        <div className="min-w-0 grow">
          <p className="font-medium break-words">
            {approval.agentName} <span className="font-normal text-muted">asks to</span>
          </p>
          <p className="mt-0.5">
            <AgentMark clientId={approval.agentClientId} verifiedDomain={approval.agentVerifiedDomain} />
          </p>
        </div>
        <span className="shrink-0 text-xs text-muted tabular-nums" suppressHydrationWarning>
          expires in {remaining(new Date(approval.expiresAt).getTime() - now)}
        </span>
      </div>
      {approval.sameNameAgents > 0 ? (
        <Alert tone="warning">
          {approval.sameNameAgents === 1 ? 'Another agent' : `${approval.sameNameAgents} other agents`} you connected also {approval.sameNameAgents === 1 ? 'calls' : 'call'} itself “
          {approval.agentName}”. Check the mark next to the name (registered {new Date(approval.agentRegisteredAt).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })}) is
          the agent you expect.
        </Alert>
      ) : null}
      <ul className="space-y-1 text-sm">
        {approval.details.map((d) => (
          <li key={d} className="font-semibold text-fg">
            {d}
          </li>
        ))}
        {approval.scopes.map((s) => (
          <li key={s.name}>
            {s.description} <span className="font-mono text-xs text-muted">{s.name}</span>
          </li>
        ))}
      </ul>
      {approval.bindingMessage ? <p className="rounded-lg bg-subtle px-3 py-2 text-sm break-words">“{approval.bindingMessage}”</p> : null}
      {approval.intent ? <p className="text-xs text-muted break-words">Instruction behind it: {approval.intent}</p> : null}
      <p className="text-xs text-muted">If you approve, this access lasts {approval.windowMinutes} minutes and then ends on its own.</p>
    </>
  );
}
