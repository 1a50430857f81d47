import type { Metadata } from 'next';
import { KeyIcon } from '@/components/icons';
import { Badge } from '@/components/ui/badge';
import { DataList, DataRow } from '@/components/ui/data-list';
import { DateTime } from '@/components/ui/date-time';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { listActiveTokens } from '@/lib/tokens/list-active-tokens';

export const metadata: Metadata = { title: 'Tokens' };

export default async function TokensPage() {
  const user = await requireUser();
  const tokens = await listActiveTokens({ userId: user.id });
  return (
    <>
      <PageHeader
        title="Tokens"
        description="Every credential your agents hold right now. Revoke one, or stop an agent entirely."
      />
      {tokens.length === 0 ? (
        <EmptyState icon={<KeyIcon className="h-6 w-6" />} title="No active tokens">
          <p>
            When an agent you allowed gets an access or refresh token, it appears here with its scopes, audience, expiry
            and where it was last used from.
          </p>
          <p>Tokens are short-lived, and you can revoke any of them, or everything an agent holds, in one click.</p>
        </EmptyState>
      ) : (
        <DataList label="Active tokens">
          {tokens.map((token) => (
            <DataRow key={token.id}>
              <div className="min-w-0">
                <p className="flex items-center gap-2 font-medium">
                  {token.agent.name}
                  <Badge tone="accent">{token.kind === 'ACCESS' ? 'Access' : 'Refresh'}</Badge>
                  {token.jit ? <Badge tone="warning">Just-in-time</Badge> : null}
                </p>
                <p className="mt-0.5 truncate font-mono text-xs text-muted">
                  {token.prefix}… · {token.scopes.join(' ')} · {token.audience.join(' ')}
                </p>
              </div>
              <p className="text-sm text-muted">
                Expires <DateTime value={token.expiresAt} timeZone={user.timeZone} />
              </p>
            </DataRow>
          ))}
        </DataList>
      )}
    </>
  );
}
