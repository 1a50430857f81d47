'use client';

// The policy editor's History tab: versions, the diff of one against the version in force, rollback.
import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { lineDiff } from '@/lib/policy/line-diff';
import { call, Card, type PolicyVersion } from '@/components/dashboard/policy-editor-parts';

export function History({ base, current, versions, onDone }: { base: string; current: PolicyVersion; versions: PolicyVersion[]; onDone: () => void }) {
  const [compare, setCompare] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!versions.length) return <Card title="Version history">{<p className="text-sm text-muted">No saved versions yet: this agent runs on the defaults.</p>}</Card>;
  const other = versions.find((v) => v.version === compare);
  const describe = (v: PolicyVersion) => `${JSON.stringify(v.document, null, 2)}\n${v.handWritten ? `\n-- hand-written Cedar --\n${v.cedar}` : ''}`;
  return (
    <Card title="Version history">
      {error ? <Alert tone="danger">{error}</Alert> : null}
      <ul className="divide-y divide-line" aria-label="Versions">
        {versions.map((v) => (
          <li key={v.version} className="flex flex-col gap-2 py-2 sm:flex-row sm:items-center sm:justify-between">
            <p className="flex items-center gap-2 text-sm">
              <span className="font-medium">Version {v.version}</span>
              {v.version === current.version ? <Badge tone="success">in force</Badge> : null}
              {v.handWritten ? <Badge>hand-written</Badge> : null}
              <span className="text-xs text-muted">{new Date(v.createdAt).toLocaleString('en-GB')}</span>
            </p>
            {v.version !== current.version ? (
              <div className="flex gap-2">
                <Button variant="ghost" className="h-9 px-3" onClick={() => setCompare(compare === v.version ? null : v.version)}>
                  {compare === v.version ? 'Hide changes' : 'Compare with current'}
                </Button>
                <ConfirmButton
                  label={`Roll back to v${v.version}`}
                  variant="secondary"
                  question={`Make version ${v.version} the policy in force again? It is saved as a new version.`}
                  confirmLabel="Roll back"
                  onConfirm={async () => {
                    const answer = await call(`${base}/rollback`, { version: v.version, expected_version: current.version });
                    if (!answer.ok) setError((answer.body.message as string) ?? 'The rollback failed.');
                    else onDone();
                  }}
                />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {other ? (
        // Long lines (hand-written Cedar) scroll inside the box; the page never widens (issue 18).
        <pre
          aria-label={`Changes from version ${other.version} to version ${current.version}`}
          tabIndex={0}
          className="max-h-96 max-w-full overflow-auto rounded-lg border border-line bg-subtle p-3 font-mono text-xs leading-5"
        >
          <div className="w-max min-w-full">
            {lineDiff(describe(other), describe(current)).map((line, i) => (
              <div key={i} className={line.kind === 'added' ? 'bg-success-soft text-success' : line.kind === 'removed' ? 'bg-danger-soft text-danger' : 'text-muted'}>
                {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}
                {line.text}
              </div>
            ))}
          </div>
        </pre>
      ) : null}
    </Card>
  );
}
