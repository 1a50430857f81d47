'use client';

// The agent detail screen's actions: kill switch or resume, revoke access, and narrowing the
// policy's scope ceiling to the scopes the agent really used. Each confirms first, then refreshes
// the server-rendered page.
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert } from '@/components/ui/alert';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { postJson } from '@/components/dashboard/post-json';
import { describeScopes } from '@/lib/words/plain-words';

export function AgentControls({ agentId, name, suspended, connected }: { agentId: string; name: string; suspended: boolean; connected: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const act = async (path: string) => {
    try {
      await postJson(path);
      setError(null);
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (!connected) return <p className="text-sm text-muted">Access revoked: this agent must ask you again to connect.</p>;
  return (
    <div className="space-y-3">
      {error ? <Alert tone="danger">{error}</Alert> : null}
      <div className="flex flex-wrap gap-2">
        {suspended ? (
          <ConfirmButton label="Resume" variant="secondary" question={`Let ${name} get new tokens again?`} confirmLabel="Resume" onConfirm={() => act(`/api/account/agents/${agentId}/resume`)} />
        ) : (
          <ConfirmButton
            label="Kill switch"
            variant="danger"
            question={`Stop ${name} now? Every token it holds is revoked and it gets no new ones until you resume it.`}
            confirmLabel="Stop this agent"
            onConfirm={() => act(`/api/account/agents/${agentId}/suspend`)}
          />
        )}
        <ConfirmButton
          label="Revoke access"
          variant="secondary"
          question={`Disconnect ${name}? Its grants and tokens end, and it has to ask for your consent again.`}
          confirmLabel="Revoke access"
          onConfirm={() => act(`/api/account/agents/${agentId}/revoke-access`)}
        />
      </div>
    </div>
  );
}

export function NarrowScopes({ agentId, unused }: { agentId: string; unused: string[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  if (!unused.length) return null;
  return (
    <div className="space-y-2">
      {error ? <Alert tone="danger">{error}</Alert> : null}
      <ConfirmButton
        label="Narrow to what is used"
        variant="secondary"
        question={`Stop allowing ${describeScopes(unused)
          .map((w) => `“${w}”`)
          .join(', ')} in this agent’s policy? Calls that need them will be refused.`}
        confirmLabel="Narrow"
        onConfirm={async () => {
          try {
            await postJson(`/api/account/agents/${agentId}/narrow-scopes`);
            setError(null);
            router.refresh();
          } catch (e) {
            setError((e as Error).message);
          }
        }}
      />
    </div>
  );
}
