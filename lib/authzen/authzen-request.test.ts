// Reading AuthZEN Authorization API 1.0 requests: the spec's own examples (§6.1, §7.1, §7.1.1,
// §7.1.2.1) read as the spec says, and what §10.1.1 calls a Bad Request is refused with the field.
import { describe, expect, it } from 'vitest';
import { contextAmount, MAX_EVALUATIONS, parseEvaluationRequest, parseEvaluationsRequest } from './authzen-request';

const alice = { type: 'user', id: 'alice@example.com' };
const doc = (id: string) => ({ type: 'document', id });

describe('POST /access/v1/evaluation', () => {
  it('reads the spec’s example request (§6.1), ignoring unknown members (§10.1.1)', () => {
    const answer = parseEvaluationRequest({
      subject: alice,
      resource: { type: 'account', id: '123' },
      action: { name: 'can_read', properties: { method: 'GET' } },
      context: { time: '1985-10-26T01:22-07:00' },
      something_new: { ignored: true },
    });
    expect(answer).toEqual({
      ok: true,
      request: {
        batch: false,
        semantic: 'execute_all',
        evaluations: [{ subject: alice, resource: { type: 'account', id: '123' }, action: { name: 'can_read', properties: { method: 'GET' } }, context: { time: '1985-10-26T01:22-07:00' } }],
      },
    });
  });

  it('treats an absent context as empty (§6.1: OPTIONAL)', () => {
    const answer = parseEvaluationRequest({ subject: alice, resource: doc('1'), action: { name: 'read' } });
    expect(answer.ok && answer.request.evaluations[0]!.context).toEqual({});
  });

  it.each([
    ['a body that is not an object', [], 'The request body must be a JSON object.'],
    ['no subject', { resource: doc('1'), action: { name: 'read' } }, 'subject: '],
    ['a subject without id', { subject: { type: 'user' }, resource: doc('1'), action: { name: 'read' } }, 'subject.id: '],
    ['a subject id that is not a string', { subject: { type: 'user', id: 7 }, resource: doc('1'), action: { name: 'read' } }, 'subject.id: '],
    ['no action name', { subject: alice, resource: doc('1'), action: {} }, 'action.name: '],
    ['a resource without type', { subject: alice, resource: { id: '1' }, action: { name: 'read' } }, 'resource.type: '],
    ['properties that are not an object', { subject: { ...alice, properties: 'x' }, resource: doc('1'), action: { name: 'read' } }, 'subject.properties: '],
    ['a context that is not an object', { subject: alice, resource: doc('1'), action: { name: 'read' }, context: [1] }, 'context: '],
    ['a time that is not RFC 3339', { subject: alice, resource: doc('1'), action: { name: 'read' }, context: { time: 'yesterday' } }, 'context.time: '],
    ['an impossible date', { subject: alice, resource: doc('1'), action: { name: 'read' }, context: { time: '2026-13-45T10:00Z' } }, 'context.time: '],
    ['an amount with three decimals', { subject: alice, resource: doc('1'), action: { name: 'read' }, context: { amount: 1.234 } }, 'context.amount: '],
    ['a negative amount', { subject: alice, resource: doc('1'), action: { name: 'read' }, context: { amount: -5 } }, 'context.amount: '],
    ['a currency in lower case', { subject: alice, resource: doc('1'), action: { name: 'read' }, context: { currency: 'eur' } }, 'context.currency: '],
    ['an unknown sensitivity', { subject: alice, resource: doc('1'), action: { name: 'read' }, context: { sensitivity: 'secret' } }, 'context.sensitivity: '],
    ['an ip that is not an address', { subject: alice, resource: doc('1'), action: { name: 'read' }, context: { ip: 'example.com' } }, 'context.ip: '],
  ])('refuses %s (§10.1.1 Bad Request), naming the field', (_, body, message) => {
    const answer = parseEvaluationRequest(body);
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.message.startsWith(message)).toBe(true);
  });

  it('reads the context attributes the policy understands', () => {
    const answer = parseEvaluationRequest({
      subject: alice,
      resource: doc('1'),
      action: { name: 'pay' },
      context: { time: '2026-11-24T10:30:00.123Z', ip: '2001:db8::1', amount: 12.5, currency: 'EUR', dataset: 'sales_2024', sensitivity: 'internal', other: [1] },
    });
    expect(answer.ok).toBe(true);
    const context = answer.ok ? answer.request.evaluations[0]!.context : {};
    expect(context).toMatchObject({ ip: '2001:db8::1', currency: 'EUR', dataset: 'sales_2024', sensitivity: 'internal', other: [1] });
    expect(contextAmount(context)).toBe('12.50');
    expect(contextAmount({ amount: '7' })).toBe('7');
    expect(contextAmount({})).toBeUndefined();
  });
});

describe('POST /access/v1/evaluations', () => {
  it('reads three requests without defaults (§7.1)', () => {
    const one = (id: string) => ({ subject: alice, action: { name: 'can_read' }, resource: doc(id), context: { time: '2024-05-31T15:22-07:00' } });
    const answer = parseEvaluationsRequest({ evaluations: [one('boxcarring.md'), one('subject-search.md'), one('resource-search.md')] });
    expect(answer).toEqual({ ok: true, request: { batch: true, semantic: 'execute_all', evaluations: [one('boxcarring.md'), one('subject-search.md'), one('resource-search.md')] } });
  });

  it('fills each evaluation from the top-level defaults, an evaluation’s own key winning as a whole (§7.1.1)', () => {
    const context = { time: '2024-05-31T15:22-07:00' };
    const answer = parseEvaluationsRequest({
      subject: alice,
      context,
      action: { name: 'can_read' },
      evaluations: [{ resource: doc('boxcarring.md') }, { resource: doc('subject-search.md'), context: { ip: '10.0.0.1' } }, { action: { name: 'can_edit' }, resource: doc('resource-search.md') }],
    });
    expect(answer.ok).toBe(true);
    const evaluations = answer.ok ? answer.request.evaluations : [];
    expect(evaluations.map((e) => [e.subject.id, e.action.name, e.resource.id, e.context])).toEqual([
      ['alice@example.com', 'can_read', 'boxcarring.md', context],
      ['alice@example.com', 'can_read', 'subject-search.md', { ip: '10.0.0.1' }],
      ['alice@example.com', 'can_edit', 'resource-search.md', context],
    ]);
  });

  it.each(['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'] as const)('takes options.evaluations_semantic %s (§7.1.2.1)', (semantic) => {
    const answer = parseEvaluationsRequest({ subject: alice, action: { name: 'read' }, options: { evaluations_semantic: semantic, another_option: 'value' }, evaluations: [{ resource: doc('1') }] });
    expect(answer.ok && answer.request.semantic).toBe(semantic);
  });

  it('behaves as a single evaluation without evaluations, or with an empty array (§7.1)', () => {
    for (const evaluations of [undefined, []]) {
      const answer = parseEvaluationsRequest({ subject: alice, action: { name: 'read' }, resource: doc('1'), evaluations });
      expect(answer.ok && answer.request).toMatchObject({ batch: false, evaluations: [{ subject: alice, action: { name: 'read' }, resource: doc('1'), context: {} }] });
    }
  });

  it.each([
    ['an evaluation missing a key that has no default', { subject: alice, evaluations: [{ resource: doc('1') }] }, 'evaluations.0.action: required'],
    ['the second one missing its subject', { action: { name: 'read' }, evaluations: [{ subject: alice, resource: doc('1') }, { resource: doc('2') }] }, 'evaluations.1.subject: required'],
    ['no evaluations and no single request', { subject: alice }, 'action: '],
    ['an unknown semantic', { subject: alice, action: { name: 'read' }, options: { evaluations_semantic: 'first' }, evaluations: [{ resource: doc('1') }] }, 'options.evaluations_semantic: '],
    ['evaluations that are not an array', { subject: alice, action: { name: 'read' }, evaluations: { resource: doc('1') } }, 'evaluations: '],
    ['a malformed default', { subject: { id: 'x' }, action: { name: 'read' }, evaluations: [{ resource: doc('1') }] }, 'subject.type: '],
    ['too many evaluations (§11.7)', { subject: alice, action: { name: 'read' }, evaluations: Array.from({ length: MAX_EVALUATIONS + 1 }, (_, i) => ({ resource: doc(String(i)) })) }, 'evaluations: '],
  ])('refuses %s', (_, body, message) => {
    const answer = parseEvaluationsRequest(body);
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.message).toContain(message);
  });
});
