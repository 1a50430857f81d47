'use client';

// The Protected APIs screen's live part: the list (react-query, refetched after each change), the
// registration form, and per API a new secret or its removal (each confirmed first). A secret is
// shown once, right after it is made.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert } from '@/components/ui/alert';
import { ResourceRegisterForm, send } from '@/components/dashboard/resource-register-form';
import { Badge } from '@/components/ui/badge';
import { Button, Spinner } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { CopyField } from '@/components/ui/copy-field';
import { TechnicalDetails } from '@/components/ui/technical-details';
import type { PresentedResource } from '@/lib/endpoints/account/resources';
import type { StreamDeliveries } from '@/lib/ssf/list-stream-deliveries';

const RESOURCES_KEY = ['admin-resources'];
const RISK_TONE = { low: 'success', medium: 'warning', high: 'danger' } as const;

/** Credentials just made: shown once, with what to do with them. */
type Shown = { name: string; clientId: string; clientSecret?: string; metadataUrl: string; identifier: string };

export function ResourcesManager({ initial }: { initial: PresentedResource[] }) {
  const queryClient = useQueryClient();
  const { data: resources, isError } = useQuery({
    queryKey: RESOURCES_KEY,
    queryFn: async (): Promise<PresentedResource[]> => {
      const response = await fetch('/api/admin/resources', { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return ((await response.json()) as { resources: PresentedResource[] }).resources;
    },
    initialData: initial,
  });
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: async ({ method, path }: { method: 'POST' | 'DELETE'; path: string }) => {
      const answer = await send(method, path);
      if (!answer.ok) throw new Error(answer.message);
      return answer.json;
    },
    onSuccess: () => setError(null),
    onError: (e: Error) => setError(e.message),
    onSettled: () => queryClient.invalidateQueries({ queryKey: RESOURCES_KEY }),
  });
  const registered = resources.filter((r) => !r.builtIn);

  return (
    <div className="space-y-8">
      {shown ? <CredentialsPanel shown={shown} onDone={() => setShown(null)} /> : null}
      {error ? <Alert tone="danger">{error}</Alert> : null}
      {isError ? <Alert tone="warning">The list could not be refreshed; it may be out of date.</Alert> : null}

      <section aria-labelledby="registered-heading">
        <h2 id="registered-heading" className="mb-3 text-sm font-semibold">
          Your APIs
        </h2>
        {registered.length === 0 ? (
          <div className="rounded-2xl border border-dashed border-line-strong bg-surface px-6 py-10 text-center">
            <p className="text-sm font-medium">No API registered yet</p>
            <p className="mx-auto mt-1 max-w-md text-sm text-muted">
              Register an API below: agents can then ask for its scopes with <code className="font-mono text-xs">resource=</code> its URL, and it checks their tokens with the credentials you get.
            </p>
          </div>
        ) : (
          <ul aria-label="Your APIs" className="space-y-3">
            {registered.map((r) => (
              <ResourceCard
                key={r.id}
                resource={r}
                actions={
                  <div className="flex flex-wrap gap-2">
                    {r.authMethod !== 'private_key_jwt' ? (
                      <ConfirmButton
                        label="New secret"
                        question={`Make a new secret for ${r.name}? The current one stops working at once.`}
                        confirmLabel="Make a new secret"
                        variant="secondary"
                        onConfirm={async () => {
                          const json = await change.mutateAsync({ method: 'POST', path: `/api/admin/resources/${r.id}/secret` }).catch(() => null);
                          if (json) setShown({ name: r.name, clientId: r.clientId!, clientSecret: String(json.client_secret), metadataUrl: r.metadataUrl, identifier: r.identifier });
                        }}
                      />
                    ) : null}
                    <ConfirmButton
                      label="Remove"
                      question={`Remove ${r.name}? Every token for it is revoked and agents can no longer ask for it.`}
                      confirmLabel="Remove the API"
                      variant="danger"
                      onConfirm={() => change.mutateAsync({ method: 'DELETE', path: `/api/admin/resources/${r.id}` }).catch(() => undefined)}
                    />
                  </div>
                }
              />
            ))}
          </ul>
        )}
      </section>

      <ResourceRegisterForm
        onRegistered={(json) => {
          const resource = json.resource as PresentedResource;
          setShown({
            name: resource.name,
            clientId: String(json.client_id),
            clientSecret: json.client_secret ? String(json.client_secret) : undefined,
            metadataUrl: resource.metadataUrl,
            identifier: resource.identifier,
          });
          void queryClient.invalidateQueries({ queryKey: RESOURCES_KEY });
        }}
      />

      <section aria-labelledby="own-heading">
        <h2 id="own-heading" className="mb-3 text-sm font-semibold">
          Leash’s own
        </h2>
        <ul aria-label="Leash’s own APIs" className="space-y-3">
          {resources
            .filter((r) => r.builtIn)
            .map((r) => (
              <ResourceCard key={r.id} resource={r} />
            ))}
        </ul>
      </section>
    </div>
  );
}

function ResourceCard({ resource: r, actions }: { resource: PresentedResource; actions?: React.ReactNode }) {
  const [eventsOpen, setEventsOpen] = useState(false);
  return (
    <li className="rounded-2xl border border-line bg-surface p-5" aria-label={r.name}>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0">
          <p className="flex flex-wrap items-center gap-2 text-sm font-semibold">
            {r.name}
            {r.builtIn ? <Badge>Leash’s own</Badge> : null}
            <Badge tone="accent">{r.tokenFormat === 'jwt' ? 'JWT access tokens' : 'Opaque tokens, introspection'}</Badge>
          </p>
          <p className="mt-0.5 break-all font-mono text-xs text-muted">{r.identifier}</p>
          {r.description ? <p className="mt-1 text-sm text-muted">{r.description}</p> : null}
        </div>
        {actions}
      </div>
      <ul aria-label={`Scopes of ${r.name}`} className="mt-3 flex flex-wrap gap-1.5">
        {r.scopes.map((s) => (
          <li key={s.name} title={s.description}>
            <Badge tone={RISK_TONE[s.risk]}>
              {s.name} · {s.risk}
            </Badge>
          </li>
        ))}
      </ul>
      {r.actions.length ? <p className="mt-2 text-xs text-muted">Actions: {r.actions.map((a) => `${a.description} (${a.name}, ${a.risk})`).join(' · ')}</p> : null}
      <TechnicalDetails className="mt-2">
        {r.clientId ? <p>client_id {r.clientId}</p> : null}
        {r.authMethod ? <p>authentication {r.authMethod}</p> : null}
        <p>metadata {r.metadataUrl}</p>
      </TechnicalDetails>
      {r.builtIn ? null : (
        <div className="mt-3 border-t border-line pt-3">
          <button type="button" className="text-sm font-medium text-accent hover:underline" aria-expanded={eventsOpen} onClick={() => setEventsOpen(!eventsOpen)}>
            {eventsOpen ? 'Hide revocation events' : 'Revocation events sent to this API'}
          </button>
          {eventsOpen ? <StreamEvents resourceId={r.id} /> : null}
        </div>
      )}
    </li>
  );
}

const EVENT_WORDS: Record<string, string> = {
  'session-revoked': 'Access revoked',
  'token-claims-change': 'Access changed',
  verification: 'Verification',
};
const STATE_TONE = { delivered: 'success', pending: 'warning', rejected: 'danger', expired: 'danger' } as const;

/** The API's Shared Signals stream and the last events pushed to it, with every attempt. */
function StreamEvents({ resourceId }: { resourceId: string }) {
  const { data, isPending, isError } = useQuery({
    queryKey: ['admin-resource-ssf', resourceId],
    queryFn: async (): Promise<StreamDeliveries> => {
      const response = await fetch(`/api/admin/resources/${resourceId}/ssf`, { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
    refetchInterval: 5000,
  });
  if (isPending) {
    return (
      <p className="mt-2 flex items-center gap-2 text-sm text-muted">
        <Spinner /> Loading…
      </p>
    );
  }
  if (isError) return <p className="mt-2 text-sm text-danger">The events could not be loaded. They will be tried again in a moment.</p>;
  if (!data.stream) {
    return (
      <p className="mt-2 text-sm text-muted">
        No stream yet. The API registers one when it starts (the kit’s <code className="font-mono text-xs">sharedSignals</code> option); Leash then pushes an event each time access to it is revoked or
        changed.
      </p>
    );
  }
  const delivery = data.stream.delivery as { endpoint_url?: string } | undefined;
  return (
    <div className="mt-2 space-y-2">
      <p className="text-sm">
        Pushed to <span className="break-all font-mono text-xs">{delivery?.endpoint_url ?? '—'}</span> · stream {data.stream.status}
        {data.stream.status_reason ? ` (${data.stream.status_reason})` : ''} · {data.stream.pending} waiting
      </p>
      {data.deliveries.length === 0 ? (
        <p className="text-sm text-muted">No event sent yet.</p>
      ) : (
        <ul aria-label="Events sent" className="divide-y divide-line rounded-xl border border-line text-sm">
          {data.deliveries.slice(0, 10).map((d) => (
            <li key={d.jti} className="flex flex-col gap-1 px-3 py-2 sm:flex-row sm:items-center sm:justify-between">
              <span className="flex items-center gap-2">
                <Badge tone={STATE_TONE[d.state as keyof typeof STATE_TONE] ?? 'neutral'}>{d.state}</Badge>
                {EVENT_WORDS[d.event_type] ?? d.event_type}
              </span>
              <span className="text-xs text-muted">
                {new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(d.created_at))} · {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
                {d.last_status ? ` · HTTP ${d.last_status}` : ''}
                {d.last_error ? ` · ${d.last_error}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function CredentialsPanel({ shown, onDone }: { shown: Shown; onDone: () => void }) {
  return (
    <section aria-label="New credentials" className="space-y-3 rounded-2xl border border-warning/30 bg-warning-soft p-5">
      <p className="text-sm font-semibold text-fg">Credentials for {shown.name}</p>
      <p className="text-sm text-fg">
        {shown.clientSecret
          ? 'The secret is shown only now. Put it in the API’s secret store (an environment variable), never in code or a config file in git.'
          : 'This API signs its requests with its own key (private_key_jwt); there is no secret.'}
      </p>
      <div className="space-y-2">
        <CopyField label="Client ID" value={shown.clientId} />
        {shown.clientSecret ? <CopyField label="Client secret" value={shown.clientSecret} /> : null}
      </div>
      <p className="text-sm text-muted">
        With <code className="font-mono text-xs">@leash/fastify</code>, the API needs the issuer, its identifier ({shown.identifier}) and these credentials; it serves its metadata from{' '}
        <span className="break-all font-mono text-xs">{shown.metadataUrl}</span>.
      </p>
      <Button type="button" variant="secondary" className="h-9 px-3" onClick={onDone}>
        I have stored it
      </Button>
    </section>
  );
}
