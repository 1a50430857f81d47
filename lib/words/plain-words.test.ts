import { describe, expect, it } from 'vitest';
import { actorChain, describeAction, describeAlertKind, describeAssurance, describeAudience, describeDelegation, describeMethods, describeReason, describeScope } from './plain-words';

describe('plain words for codes', () => {
  it('names scopes and actions as the consent screen and the policy editor do', () => {
    expect(describeScope('reports:read')).toBe('Read your reports');
    expect(describeAction('payments.initiate')).toBe('Initiate a payment');
    expect(describeAction('token.revoke_all')).toBe('Every token revoked');
    expect(describeAction('something.new')).toBe('something.new');
  });

  it('says what an assurance level means', () => {
    expect(describeAssurance('urn:leash:acr:mfa')).toBe('password and a second factor');
    expect(describeAssurance('urn:leash:acr:phr')).toBe('password and a passkey');
    expect(describeAssurance('urn:leash:acr:pwd')).toBe('password');
    expect(describeMethods(['pwd', 'hwk', 'user'])).toBe('password, passkey');
  });

  it('names audiences and alert kinds', () => {
    expect(describeAudience('http://localhost:3000/api')).toBe('your workspace, through the Leash API');
    expect(describeAudience('http://localhost:3000/mcp')).toBe('your workspace, through MCP tools');
    expect(describeAlertKind('first_use:payments:write')).toBe('First use of “Initiate payments”');
    expect(describeAlertKind('denied_calls')).toBe('Many refused calls');
    expect(describeAlertKind('credential_leaked:0123456789ab')).toBe('Credential found in public');
  });

  it('reads a nested act claim current actor first (RFC 8693 §4.1) and says who acts for whom', () => {
    expect(actorChain({ sub: 'b', act: { sub: 'c' } })).toEqual(['b', 'c']);
    expect(actorChain('not a claim')).toEqual([]);
    expect(describeDelegation(['Agent B'], 'Agent A')).toBe('Agent B acting for Agent A');
    expect(describeDelegation(['Agent B', 'Agent C'], null)).toBe('Agent B acting for Agent C acting for another agent');
  });

  it('replaces the codes inside a reason, but not inside a rule id', () => {
    expect(describeReason('missing scope (needs reports:read)')).toBe('missing scope (needs “Read your reports”)');
    expect(describeReason('needs payments.initiate.')).toBe('needs “Initiate a payment”.');
    expect(describeReason('forbidden by deny-action:reports.create')).toBe('forbidden by deny-action:reports.create');
    expect(describeReason("policy v3 scope-ceiling:datasets.list: datasets:read is above this agent's scope ceiling")).toBe(
      "policy version 3: “List and query your datasets” is above this agent's scope ceiling",
    );
    expect(describeReason('policy v2: the rate limit of 60 calls a minute')).toBe('policy version 2: the rate limit of 60 calls a minute');
  });
});
