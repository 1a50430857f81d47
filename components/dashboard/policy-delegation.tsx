'use client';

// The Delegation card of the Rules tab (RFC 8693 `may_act`): the person ticks which of their other
// agents may act for this one, by name, with a fragment of each client_id to tell alike names apart
// (issue 18: it asked for raw client ids). The document still lists client ids. An agent that is
// not connected to the person (one that only ever acts for others) can still be added by its id.
import { useState } from 'react';
import { AgentAvatar } from '@/components/ui/agent-avatar';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { clientIdFragment } from '@/lib/agents/client-id-fragment';
import type { DelegateCandidate } from '@/lib/agents/list-delegate-candidates';
import { Card, input } from '@/components/dashboard/policy-editor-parts';

export function DelegationPicker({ mayAct = [], candidates, onChange }: { mayAct?: string[]; candidates: DelegateCandidate[]; onChange: (mayAct: string[] | undefined) => void }) {
  const [typed, setTyped] = useState('');
  const known = new Set(candidates.map((c) => c.clientId));
  const listed = [
    ...candidates.filter((c) => c.connected || mayAct.includes(c.clientId)),
    ...mayAct.filter((id) => !known.has(id)).map((clientId) => ({ clientId, name: 'Unknown agent', logoUri: null, verifiedDomain: null, connected: false })),
  ];
  const set = (next: string[]) => onChange(next.length ? next : undefined);
  const toggle = (clientId: string) => set(mayAct.includes(clientId) ? mayAct.filter((id) => id !== clientId) : [...mayAct, clientId]);
  const add = () => {
    const clientId = typed.trim();
    if (clientId && !mayAct.includes(clientId)) set([...mayAct, clientId]);
    setTyped('');
  };
  return (
    <Card title="Delegation">
      <p className="text-sm text-muted">
        Agents that may act for this one through token exchange (RFC 8693): they get at most this agent’s access, for you, with their own policy on top; every call shows the whole chain in the audit
        log. None ticked: no one.
      </p>
      {listed.length ? (
        <ul aria-label="Agents that may act for this one" className="divide-y divide-line rounded-xl border border-line">
          {listed.map((agent) => {
            const fragment = clientIdFragment(agent.clientId);
            return (
              <li key={agent.clientId}>
                <label className="flex min-w-0 cursor-pointer items-center gap-3 px-3 py-2.5 text-sm">
                  <input type="checkbox" aria-label={`${agent.name} (${fragment})`} checked={mayAct.includes(agent.clientId)} onChange={() => toggle(agent.clientId)} />
                  <AgentAvatar name={agent.name} logoUri={agent.logoUri} size="sm" />
                  <span className="min-w-0 flex-1">
                    <span className="block truncate font-medium text-fg">{agent.name}</span>
                    <span className="block truncate font-mono text-xs text-muted" title={agent.clientId}>
                      {fragment}
                    </span>
                  </span>
                  {agent.verifiedDomain ? <Badge tone="success">Verified · {agent.verifiedDomain}</Badge> : null}
                  {agent.connected ? null : <Badge tone="warning">Not connected to you</Badge>}
                </label>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="rounded-xl border border-dashed border-line px-3 py-4 text-sm text-muted">You have no other agents connected yet.</p>
      )}
      <details className="text-sm">
        <summary className="cursor-pointer text-muted hover:text-fg">An agent that is not listed (by its client id)</summary>
        <div className="mt-2 flex gap-2">
          <input
            aria-label="Client id of another agent"
            className={`${input} min-w-0 flex-1 font-mono text-xs`}
            placeholder="agent_…"
            spellCheck={false}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
          <Button variant="secondary" className="h-9 px-3" onClick={add} disabled={!typed.trim()}>
            Add
          </Button>
        </div>
      </details>
    </Card>
  );
}
