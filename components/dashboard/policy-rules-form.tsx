'use client';

// The policy editor's Rules tab: every field of the structured policy.
import { useMemo, useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ACTION_NAMES, ACTIONS, RISK_TIERS, SENSITIVITY, type RiskTier } from '@/lib/scopes/actions';
import { JIT_MINUTES, type PolicyDocument } from '@/lib/policy/policy-document';
import type { DelegateCandidate } from '@/lib/agents/list-delegate-candidates';
import { declaredTier, type DeclaredAction } from '@/lib/policy/declared-actions';
import { SUPPORTED_SCOPES } from '@/lib/scopes/scopes';
import { SAMPLE_DATASETS } from '@/lib/workspace/sample-workspace';
import { Card, Field, input, NumberField } from '@/components/dashboard/policy-editor-parts';
import { PaymentLimitField } from '@/components/dashboard/policy-payment-limit';
import { DelegationPicker } from '@/components/dashboard/policy-delegation';

const TIER_LABELS: Record<RiskTier, string> = { allow: 'Allow', notify: 'Allow and notify', step_up: 'Require second factor', approval: 'Require approval', deny: 'Deny' };
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export function RulesForm({
  draft,
  update,
  userTimeZone,
  handEdited,
  delegates,
  declared,
}: {
  draft: PolicyDocument;
  update: <K extends keyof PolicyDocument>(key: K, value: PolicyDocument[K]) => void;
  userTimeZone: string;
  handEdited: boolean;
  delegates: DelegateCandidate[];
  declared: DeclaredAction[];
}) {
  const zones = useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC']), []);
  const toggle = (list: string[], value: string) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  return (
    <div className="space-y-5">
      {handEdited ? (
        <Alert tone="warning">The Cedar is hand-written: scope ceiling, resources, payment limit, time windows and IP ranges below are not used until you discard the hand edits.</Alert>
      ) : null}
      <Card title="Scope ceiling">
        <p className="text-sm text-muted">The most this agent may ever use, whatever it was granted. Token requests beyond it get only what is allowed.</p>
        <div className="grid gap-2 sm:grid-cols-2">
          {SUPPORTED_SCOPES.map((scope) => (
            <label key={scope} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={draft.scopeCeiling.includes(scope)} onChange={() => update('scopeCeiling', toggle(draft.scopeCeiling, scope) as PolicyDocument['scopeCeiling'])} />
              <span className="font-mono text-xs">{scope}</span>
            </label>
          ))}
        </div>
      </Card>

      <Card title="Risk per action">
        <div className="divide-y divide-line">
          {ACTION_NAMES.map((action) => (
            <div key={action} className="flex flex-col gap-1 py-2 sm:flex-row sm:items-center sm:justify-between">
              <label htmlFor={`tier-${action}`} className="text-sm">
                {ACTIONS[action].label} <span className="font-mono text-xs text-muted">{ACTIONS[action].scope}</span>
              </label>
              <select
                id={`tier-${action}`}
                className={input}
                value={draft.actions[action] ?? ACTIONS[action].defaultTier}
                onChange={(e) => update('actions', { ...draft.actions, [action]: e.target.value as RiskTier })}
              >
                {RISK_TIERS.map((tier) => (
                  <option key={tier} value={tier}>
                    {TIER_LABELS[tier]}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </div>
      </Card>

      {groupByResource(declared).map(([resource, actions]) => (
        <Card key={resource} title={`Risk per action: ${actions[0]!.resourceName}`}>
          <p className="text-sm text-muted">
            Actions this API declares; it asks Leash before each one (<span className="font-mono text-xs">{resource}</span>).
          </p>
          <div className="divide-y divide-line">
            {actions.map((action) => {
              const id = `tier-${resource}#${action.name}`;
              return (
                <div key={action.name} className="flex flex-col gap-1 py-2 sm:flex-row sm:items-center sm:justify-between">
                  <label htmlFor={id} className="text-sm">
                    {action.description || action.name} <span className="font-mono text-xs text-muted">{action.scope}</span>
                  </label>
                  <select
                    id={id}
                    className={input}
                    value={declaredTier(draft.resourceActions, action)}
                    onChange={(e) => update('resourceActions', { ...draft.resourceActions, [resource]: { ...draft.resourceActions?.[resource], [action.name]: e.target.value as RiskTier } })}
                  >
                    {RISK_TIERS.map((tier) => (
                      <option key={tier} value={tier}>
                        {TIER_LABELS[tier]}
                      </option>
                    ))}
                  </select>
                </div>
              );
            })}
          </div>
        </Card>
      ))}

      <Card title="Resources and payments">
        <Field label="Datasets" hint="None ticked: any dataset.">
          <div className="flex flex-wrap gap-3">
            {SAMPLE_DATASETS.map((d) => (
              <label key={d.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={draft.resources.datasets?.includes(d.id) ?? false}
                  onChange={() => {
                    const next = toggle(draft.resources.datasets ?? [], d.id);
                    update('resources', { ...draft.resources, datasets: next.length ? next : undefined });
                  }}
                />
                {d.name}
              </label>
            ))}
          </div>
        </Field>
        <Field label="Highest sensitivity">
          <select
            aria-label="Highest sensitivity"
            className={input}
            value={draft.resources.maxSensitivity ?? ''}
            onChange={(e) => update('resources', { ...draft.resources, maxSensitivity: (e.target.value || undefined) as PolicyDocument['resources']['maxSensitivity'] })}
          >
            <option value="">Any</option>
            {SENSITIVITY.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <PaymentLimitField limit={draft.paymentLimit} onChange={(limit) => update('paymentLimit', limit)} />
      </Card>

      <Card title="When and from where">
        <Field label="Time zone" hint={`Time windows are in this zone. Default: your own (${userTimeZone}).`}>
          <select aria-label="Time zone" className={input} value={draft.timeZone ?? ''} onChange={(e) => update('timeZone', e.target.value || undefined)}>
            <option value="">Mine ({userTimeZone})</option>
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Time windows" hint="No window: any time.">
          <div className="space-y-2">
            {(draft.timeWindows ?? []).map((window, index) => (
              <div key={index} className="flex flex-wrap items-center gap-2 rounded-lg border border-line p-2">
                {WEEKDAYS.map((day) => (
                  <label key={day} className="flex items-center gap-1 text-xs">
                    <input
                      type="checkbox"
                      checked={window.days.includes(day)}
                      onChange={() => {
                        const windows = [...(draft.timeWindows ?? [])];
                        windows[index] = { ...window, days: toggle(window.days, day) as typeof window.days };
                        update('timeWindows', windows);
                      }}
                    />
                    {day}
                  </label>
                ))}
                {(['start', 'end'] as const).map((edge) => (
                  <input
                    key={edge}
                    type="time"
                    aria-label={`Window ${index + 1} ${edge}`}
                    className={input}
                    value={window[edge]}
                    onChange={(e) => {
                      const windows = [...(draft.timeWindows ?? [])];
                      windows[index] = { ...window, [edge]: e.target.value };
                      update('timeWindows', windows);
                    }}
                  />
                ))}
                <Button
                  variant="ghost"
                  className="h-8 px-2"
                  onClick={() => {
                    const windows = (draft.timeWindows ?? []).filter((_, i) => i !== index);
                    update('timeWindows', windows.length ? windows : undefined);
                  }}
                >
                  Remove
                </Button>
              </div>
            ))}
            <Button
              variant="secondary"
              className="h-9 px-3"
              onClick={() => update('timeWindows', [...(draft.timeWindows ?? []), { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }])}
            >
              Add a time window
            </Button>
          </div>
        </Field>
        <Field label="IP ranges" hint="One CIDR range per line, e.g. 203.0.113.0/24. Empty: any address.">
          <textarea
            aria-label="IP ranges"
            className="min-h-20 w-full rounded-lg border border-line-strong bg-surface p-2 font-mono text-xs text-fg outline-none focus:border-accent"
            value={(draft.ipRanges ?? []).join('\n')}
            onChange={(e) => {
              const ranges = e.target.value.split('\n').map((l) => l.trim());
              update('ipRanges', ranges.some(Boolean) ? ranges.filter((r, i) => r || i === ranges.length - 1) : undefined);
            }}
          />
        </Field>
      </Card>

      <DelegationPicker mayAct={draft.mayAct} candidates={delegates} onChange={(mayAct) => update('mayAct', mayAct)} />

      <Card title="Limits and tokens">
        <div className="grid gap-4 sm:grid-cols-2">
          <NumberField label="Calls per minute" min={1} value={draft.rateLimit.perMinute} onChange={(perMinute) => update('rateLimit', { ...draft.rateLimit, perMinute })} />
          <NumberField label="Calls per day" min={1} value={draft.rateLimit.perDay} onChange={(perDay) => update('rateLimit', { ...draft.rateLimit, perDay })} />
          <NumberField
            label="Access token lifetime (minutes)"
            min={1}
            max={60}
            value={Math.round(draft.tokens.accessTokenSeconds / 60)}
            onChange={(minutes) => update('tokens', { ...draft.tokens, accessTokenSeconds: minutes * 60 })}
          />
          <ElevationWindowField minutes={draft.jitMinutes} onChange={(minutes) => update('jitMinutes', minutes)} />
          <Field label="Refresh tokens">
            <div className="flex items-center gap-3">
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={draft.tokens.refreshAllowed} onChange={(e) => update('tokens', { ...draft.tokens, refreshAllowed: e.target.checked })} />
                Allowed, for
              </label>
              <input
                aria-label="Refresh token days"
                type="number"
                min={1}
                max={30}
                className={`${input} w-20`}
                value={draft.tokens.refreshDays}
                disabled={!draft.tokens.refreshAllowed}
                onChange={(e) => update('tokens', { ...draft.tokens, refreshDays: Number(e.target.value) })}
              />
              <span className="text-sm text-muted">days</span>
            </div>
          </Field>
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={draft.tokens.dpopRequired} onChange={(e) => update('tokens', { ...draft.tokens, dpopRequired: e.target.checked })} />
          Require DPoP-bound tokens (proof of possession: a copied token is useless without the agent’s key)
        </label>
      </Card>
    </div>
  );
}

/**
 * How long a just-in-time token lives once the person approves it (`jitMinutes`). The text stays
 * as typed (an emptied field means the default); a change from elsewhere (Reset) is shown.
 */
function ElevationWindowField({ minutes, onChange }: { minutes: number | undefined; onChange: (minutes: number | undefined) => void }) {
  const [text, setText] = useState(String(minutes ?? JIT_MINUTES.default));
  const [shown, setShown] = useState(minutes);
  if (minutes !== shown) {
    setShown(minutes);
    if ((text === '' ? undefined : Number(text)) !== minutes) setText(String(minutes ?? JIT_MINUTES.default));
  }
  const label = 'Elevation window (minutes)';
  return (
    <Field label={label} hint={`How long access you approve for one action stays usable: ${JIT_MINUTES.min} to ${JIT_MINUTES.max} minutes; empty: ${JIT_MINUTES.default}.`}>
      <input
        aria-label={label}
        type="number"
        min={JIT_MINUTES.min}
        max={JIT_MINUTES.max}
        className={input}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          onChange(e.target.value === '' ? undefined : Number(e.target.value));
        }}
      />
    </Field>
  );
}

/** Declared actions by resource, in the registry's order. */
function groupByResource(declared: DeclaredAction[]): [string, DeclaredAction[]][] {
  const groups = new Map<string, DeclaredAction[]>();
  for (const action of declared) groups.set(action.resource, [...(groups.get(action.resource) ?? []), action]);
  return [...groups];
}
