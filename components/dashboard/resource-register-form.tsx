'use client';

// The Protected APIs screen's registration form: the API's identifier and name, its scopes and
// declared actions row by row, its token format and how it authenticates; the server's field errors
// are shown at their field. Also the screen's one JSON sender (`send`).
import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button, Spinner } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useHydrated } from '@/components/ui/use-hydrated';

type Risk = 'low' | 'medium' | 'high';
const panel = 'space-y-4 rounded-2xl border border-line bg-surface p-5';
const input = 'h-10 w-full rounded-lg border border-line-strong bg-surface px-3 text-sm text-fg shadow-sm outline-none focus:border-accent focus:ring-2 focus:ring-accent/25';

type Answer = { ok: boolean; json: Record<string, unknown>; message: string; fields: Record<string, string[]> };

export async function send(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(path, { method, headers: body ? { 'Content-Type': 'application/json' } : undefined, body: body ? JSON.stringify(body) : undefined }).catch(() => null);
  const json = ((await response?.json().catch(() => null)) ?? {}) as Record<string, unknown>;
  return {
    ok: Boolean(response?.ok),
    json,
    message: typeof json.message === 'string' ? json.message : 'Leash could not be reached. Check your connection and try again.',
    fields: (json.field_errors as Record<string, string[]> | undefined) ?? {},
  };
}

type ScopeRow = { name: string; description: string; risk: Risk };
type ActionRow = { name: string; scope: string; risk: Risk; description: string };
const EMPTY_FORM = {
  identifier: '',
  name: '',
  description: '',
  tokenFormat: 'opaque' as 'opaque' | 'jwt',
  authMethod: 'client_secret_basic' as 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt',
  jwks: '',
  scopes: [{ name: '', description: '', risk: 'low' }] as ScopeRow[],
  actions: [] as ActionRow[],
};

export function ResourceRegisterForm({ onRegistered }: { onRegistered: (json: Record<string, unknown>) => void }) {
  const hydrated = useHydrated();
  const [form, setForm] = useState(EMPTY_FORM);
  const [state, setState] = useState<{ pending?: boolean; error?: string; fields?: Record<string, string[]> }>({});
  const field = (name: string) => state.fields?.[name]?.join(' ');
  const setScope = (i: number, patch: Partial<ScopeRow>) => setForm({ ...form, scopes: form.scopes.map((s, j) => (i === j ? { ...s, ...patch } : s)) });
  const setAction = (i: number, patch: Partial<ActionRow>) => setForm({ ...form, actions: form.actions.map((a, j) => (i === j ? { ...a, ...patch } : a)) });

  return (
    <form
      aria-label="Register an API"
      className={panel}
      onSubmit={async (event) => {
        event.preventDefault();
        let jwks: unknown;
        if (form.authMethod === 'private_key_jwt') {
          try {
            jwks = JSON.parse(form.jwks);
          } catch {
            return setState({ error: 'The public keys are not valid JSON (a JWK Set: {"keys": [...]}).', fields: { jwks: ['not valid JSON'] } });
          }
        }
        setState({ pending: true });
        const answer = await send('POST', '/api/admin/resources', {
          identifier: form.identifier.trim(),
          name: form.name,
          ...(form.description.trim() ? { description: form.description } : {}),
          tokenFormat: form.tokenFormat,
          authMethod: form.authMethod,
          ...(jwks ? { jwks } : {}),
          scopes: form.scopes,
          actions: form.actions,
        });
        if (!answer.ok) return setState({ error: answer.message, fields: answer.fields });
        setState({});
        setForm(EMPTY_FORM);
        onRegistered(answer.json);
      }}
    >
      <div>
        <h2 className="text-sm font-semibold">Register an API</h2>
        <p className="mt-1 text-sm text-muted">Agents will see its name and the words of its scopes on the consent screen; the person decides scope by scope.</p>
      </div>
      {state.error ? <Alert tone="danger">{state.error}</Alert> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          id="resource-identifier"
          label="Identifier (its URL)"
          placeholder="https://orders.example.com/api"
          required
          value={form.identifier}
          onChange={(e) => setForm({ ...form, identifier: e.target.value })}
          error={field('identifier')}
          hint="The audience of its tokens (RFC 8707): https, no query or fragment."
        />
        <TextField id="resource-name" label="Name" placeholder="Orders API" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={field('name')} />
      </div>
      <TextField id="resource-description" label="Description (optional)" value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} error={field('description')} />

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Scopes</legend>
        {form.scopes.map((scope, i) => (
          <div key={i} className="grid gap-2 sm:grid-cols-[1fr_2fr_7rem_auto]">
            <input aria-label={`Scope ${i + 1} name`} className={input} placeholder="orders:read" value={scope.name} onChange={(e) => setScope(i, { name: e.target.value })} />
            <input
              aria-label={`Scope ${i + 1} description`}
              className={input}
              placeholder="Read your orders"
              value={scope.description}
              onChange={(e) => setScope(i, { description: e.target.value })}
            />
            <select aria-label={`Scope ${i + 1} risk`} className={input} value={scope.risk} onChange={(e) => setScope(i, { risk: e.target.value as Risk })}>
              <option value="low">Low risk</option>
              <option value="medium">Medium risk</option>
              <option value="high">High risk</option>
            </select>
            <Button type="button" variant="secondary" className="h-10 px-3" disabled={form.scopes.length === 1} onClick={() => setForm({ ...form, scopes: form.scopes.filter((_, j) => j !== i) })}>
              Remove
            </Button>
          </div>
        ))}
        {field('scopes') ? <p className="text-sm text-danger">{field('scopes')}</p> : null}
        <Button type="button" variant="secondary" className="h-9 px-3" onClick={() => setForm({ ...form, scopes: [...form.scopes, { name: '', description: '', risk: 'low' }] })}>
          Add a scope
        </Button>
      </fieldset>

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Actions (optional)</legend>
        <p className="text-sm text-muted">What the API does, named for policies and policy decisions (AuthZEN): each needs one of its scopes and has a risk.</p>
        {form.actions.map((action, i) => (
          <div key={i} className="grid gap-2 sm:grid-cols-[1fr_1fr_7rem_2fr_auto]">
            <input aria-label={`Action ${i + 1} name`} className={input} placeholder="orders.place" value={action.name} onChange={(e) => setAction(i, { name: e.target.value })} />
            <select aria-label={`Action ${i + 1} scope`} className={input} value={action.scope} onChange={(e) => setAction(i, { scope: e.target.value })}>
              <option value="">Scope…</option>
              {form.scopes
                .filter((s) => s.name)
                .map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name}
                  </option>
                ))}
            </select>
            <select aria-label={`Action ${i + 1} risk`} className={input} value={action.risk} onChange={(e) => setAction(i, { risk: e.target.value as Risk })}>
              <option value="low">Low risk</option>
              <option value="medium">Medium risk</option>
              <option value="high">High risk</option>
            </select>
            <input
              aria-label={`Action ${i + 1} description`}
              className={input}
              placeholder="Place an order"
              value={action.description}
              onChange={(e) => setAction(i, { description: e.target.value })}
            />
            <Button type="button" variant="secondary" className="h-10 px-3" onClick={() => setForm({ ...form, actions: form.actions.filter((_, j) => j !== i) })}>
              Remove
            </Button>
          </div>
        ))}
        {field('actions') ? <p className="text-sm text-danger">{field('actions')}</p> : null}
        <Button type="button" variant="secondary" className="h-9 px-3" onClick={() => setForm({ ...form, actions: [...form.actions, { name: '', scope: '', risk: 'low', description: '' }] })}>
          Add an action
        </Button>
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-2">
        <fieldset>
          <legend className="mb-1.5 text-sm font-medium">Token format</legend>
          <label className="flex items-start gap-2 text-sm">
            <input type="radio" name="tokenFormat" className="mt-1" checked={form.tokenFormat === 'opaque'} onChange={() => setForm({ ...form, tokenFormat: 'opaque' })} />
            <span>
              Opaque, checked by introspection <span className="block text-xs text-muted">A revocation applies at the next check.</span>
            </span>
          </label>
          <label className="mt-2 flex items-start gap-2 text-sm">
            <input type="radio" name="tokenFormat" className="mt-1" checked={form.tokenFormat === 'jwt'} onChange={() => setForm({ ...form, tokenFormat: 'jwt' })} />
            <span>
              JWT (RFC 9068), verified with Leash’s keys <span className="block text-xs text-muted">No call per request; revocations arrive as Shared Signals events.</span>
            </span>
          </label>
        </fieldset>
        <label className="block space-y-1.5 text-sm">
          <span className="font-medium">How the API authenticates to Leash</span>
          <select className={input} value={form.authMethod} onChange={(e) => setForm({ ...form, authMethod: e.target.value as typeof form.authMethod })}>
            <option value="client_secret_basic">Client secret (HTTP Basic)</option>
            <option value="client_secret_post">Client secret (in the form)</option>
            <option value="private_key_jwt">Its own key (private_key_jwt)</option>
          </select>
        </label>
      </div>
      {form.authMethod === 'private_key_jwt' ? (
        <label className="block space-y-1.5 text-sm">
          <span className="font-medium">Public keys (JWK Set)</span>
          <textarea
            aria-label="Public keys (JWK Set)"
            className={`${input} h-28 py-2 font-mono text-xs`}
            placeholder='{"keys": [{"kty": "EC", "crv": "P-256", "x": "…", "y": "…"}]}'
            value={form.jwks}
            onChange={(e) => setForm({ ...form, jwks: e.target.value })}
          />
          {field('jwks') ? <span className="text-sm text-danger">{field('jwks')}</span> : null}
        </label>
      ) : null}
      <Button type="submit" disabled={!hydrated || state.pending}>
        {state.pending ? <Spinner /> : null}
        Register the API
      </Button>
    </form>
  );
}
