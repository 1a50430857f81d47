// @leash/agent against the running app (issue 15 §1): the example agent (examples/accounts-agent.ts)
// connects with the authorization code flow (its loopback callback, the person allowing in
// Chromium), calls the API with DPoP-bound tokens, hits "needs approval" on a payment, asks the
// person through CIBA with its own access token as login_hint_token, waits while the person
// approves with a second factor in Chromium, pays with the just-in-time token; then hits a step-up
// (401 insufficient_user_authentication naming required_scope) on a dispute, is approved the same
// way for that one scope, disputes with the stronger token, and carries on.
// Then the SDK in this process: concurrent calls share one refresh (a second refresh with the
// spent token would revoke the family), a revoked session ends with SessionEndedError after one
// refresh attempt (never a loop), and an approval wait ends when its AbortSignal fires. Last, the
// framework wrappers with the real packages: a LangChain.js tool and a Vercel AI SDK tool (run by
// generateText), each made to require approval in one line, wait for the person and run once.
import { expect, test, type Page } from '@playwright/test';
import { tool as langchainTool } from '@langchain/core/tools';
import { ToolMessage } from '@langchain/core/messages';
import { generateText, tool as aiTool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { connect, resume, SessionEndedError, type ApprovalPending, type LeashSession } from '@leash/agent';
import { requireApproval as requireApprovalForLangChain } from '@leash/agent/langchain';
import { requireApproval as requireApprovalForAiSdk } from '@leash/agent/ai-sdk';
import { createAccount, sameOrigin, signInInBrowser, TEST_PASSWORD as password, uniqueEmail, uniqueIp } from '../support/accounts';
import { approveInInbox, enrolTotp, recoveryCode, totpCode } from '../support/approvals';
import { testDb } from '../support/db';
import { runCommand } from '../support/command-lines';

const tokenHash = "encode(sha256($1::bytea), 'hex')";

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

/** The person allows the agent on the consent screen the SDK's authorization URL leads to. */
async function allow(page: Page, url: string, agentName: string) {
  await page.goto(url);
  await expect(page).toHaveURL(/\/consent\//);
  await expect(page.getByTestId('agent-name')).toHaveText(agentName);
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
  await expect(page.getByText(`${agentName} is connected.`)).toBeVisible();
}

test('the example agent connects, is asked for approval on a payment and a step-up on a dispute, waits while the person approves each with a second factor, acts once each and carries on', async ({
  page,
  request,
  baseURL,
}) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('sdk-example'), password });
  await signInInBrowser(page, user.email);
  const secret = await enrolTotp(page, baseURL!);

  const agent = runCommand(['--import', 'tsx', 'examples/accounts-agent.ts'], { LEASH_RESOURCE: `${baseURL}/api` });
  try {
    const [, authorizationUrl] = await agent.line(/^OPEN (\S+)$/);
    const authorize = new URL(authorizationUrl!);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      code_challenge_method: 'S256',
      resource: `${baseURL}/api`,
      scope: 'datasets:read reports:read payments:write invoices:read invoices:write offline_access',
    });
    await allow(page, authorizationUrl!, 'Example accounts agent');
    const [, clientId] = await agent.line(/^CONNECTED (\S+)$/);
    const [, datasets] = await agent.line(/^STEP datasets 200 (.*)$/);
    expect(JSON.parse(datasets!).datasets.map((d: { id: string }) => d.id)).toContain('ds_sales_2026');

    // The payment needs the person's approval: the agent has asked and is waiting.
    const [, bindingMessage] = await agent.line(/^APPROVAL (.*)$/);
    expect(bindingMessage).toBe('Pay ACME Ltd 1250.00 USD for invoice INV-2026-0142');
    await approveInInbox(page, { agentName: 'Example accounts agent', bindingMessage: bindingMessage!, code: await totpCode(secret), shows: 'Pay $1,250.00 to ACME Ltd' });

    // The agent collected its just-in-time token, paid, and carried on with its ordinary token.
    const [, paid] = await agent.line(/^STEP payment (\d+) (.*)$/);
    expect(paid).toBe('201');

    // The dispute needs a second factor: the agent asks for its one scope and waits again.
    const stepUpMessage = 'Dispute invoice INV-2026-0151 from Globex Corporation: billed twice for November';
    await agent.line(new RegExp(`^APPROVAL ${stepUpMessage}$`));
    await approveInInbox(page, { agentName: 'Example accounts agent', bindingMessage: stepUpMessage, code: recoveryCode(secret) });
    const [, disputed] = await agent.line(/^STEP dispute 200 (.*)$/);
    expect(JSON.parse(disputed!)).toMatchObject({ number: 'INV-2026-0151', status: 'disputed', dispute_reason: 'Billed twice for November.' });
    await agent.line(/^STEP reports 200 /);
    const { code, stderr } = await agent.done();
    expect(code, stderr).toBe(0);

    const agentRow = (await testDb().query('SELECT id FROM agents WHERE client_id = $1', [clientId])).rows[0];
    expect((await testDb().query('SELECT count(*)::int AS n FROM payments WHERE agent_id = $1', [agentRow.id])).rows[0].n).toBe(1);
    // Every token it holds is DPoP-bound, to one key (RFC 9449), the just-in-time one included.
    const tokens = await testDb().query('SELECT kind::text, jit, dpop_jkt FROM tokens WHERE agent_id = $1 ORDER BY created_at', [agentRow.id]);
    expect(tokens.rows.map((r) => [r.kind, r.jit])).toEqual([
      ['ACCESS', false],
      ['REFRESH', false],
      ['ACCESS', true],
      ['ACCESS', true],
    ]);
    // The step-up's just-in-time token is for the refused action's scope alone, at the second-factor level.
    const stepUpToken = await testDb().query('SELECT scopes, acr FROM tokens WHERE agent_id = $1 AND jit ORDER BY created_at DESC LIMIT 1', [agentRow.id]);
    expect(stepUpToken.rows[0]).toEqual({ scopes: ['invoices:write'], acr: 'urn:leash:acr:mfa' });
    expect(new Set(tokens.rows.map((r) => r.dpop_jkt)).size).toBe(1);
    expect(tokens.rows[0].dpop_jkt).toMatch(/^[\w-]{43}$/);
    // The audit log: refused for approval, the request (with the agent's intent, hashed), the approval,
    // the payment; then the step-up refusal, its request and approval, the dispute.
    const audit = await testDb().query(
      "SELECT action, decision::text, intent FROM audit_events WHERE agent_id = $1 AND action IN ('payments.initiate', 'invoices.dispute', 'elevation.request', 'elevation.approve') ORDER BY id",
      [agentRow.id],
    );
    expect(audit.rows.map((r) => [r.action, r.decision])).toEqual([
      ['payments.initiate', 'APPROVAL'],
      ['elevation.request', 'APPROVAL'],
      ['elevation.approve', 'ALLOW'],
      ['payments.initiate', 'ALLOW'],
      ['invoices.dispute', 'STEP_UP'],
      ['elevation.request', 'APPROVAL'],
      ['elevation.approve', 'ALLOW'],
      ['invoices.dispute', 'ALLOW'],
    ]);
    expect(audit.rows[1].intent).toMatch(/^sha256:[0-9a-f]{64}$/);
  } finally {
    agent.child.kill();
  }
});

test('in process: concurrent calls share one refresh; a revoked session ends after one refresh attempt; an approval wait is cancellable', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('sdk-refresh'), password });
  await signInInBrowser(page, user.email);
  // Every request the SDK makes, counted per path (the SDK takes a fetch: nothing is changed).
  const calls: string[] = [];
  const counting: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    calls.push(`${init?.method ?? 'GET'} ${new URL(input instanceof Request ? input.url : input.toString()).pathname} ${response.status}`);
    return response;
  };
  let stored: LeashSession | undefined;
  const agent = await connect({
    issuer: baseURL!,
    resource: `${baseURL}/api`,
    scopes: ['datasets:read', 'workflows:trigger'],
    clientName: 'SDK refresh agent',
    // Its own client address, so the per-address registration limit is not shared with other tests.
    registrationHeaders: { 'X-Forwarded-For': uniqueIp() },
    fetch: counting,
    openBrowser: (url) => allow(page, url, 'SDK refresh agent'),
    onSession: (session) => {
      stored = session;
    },
  });
  expect(stored).toMatchObject({ tokenType: 'DPoP', refreshToken: expect.stringMatching(/^lsh_rt_/), scope: 'datasets:read offline_access workflows:trigger' });

  // The same session, its access token taken as expired: three calls at once, one refresh.
  const expired = resume({ ...agent.session, expiresAt: 0 }, { dpop: agent.dpopKey, fetch: counting, onSession: (session) => void (stored = session) });
  calls.length = 0;
  const answers = await Promise.all([1, 2, 3].map(() => expired.fetch(`${baseURL}/api/v1/datasets`)));
  expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
  // One refresh: the fresh instance has no DPoP nonce yet, so its first proof is answered with one (RFC 9449 §8).
  expect(calls.filter((c) => c.startsWith('POST /oauth/token'))).toEqual(['POST /oauth/token 400', 'POST /oauth/token 200']);
  const family = await testDb().query(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE revoked_at IS NOT NULL)::int AS revoked FROM tokens WHERE family_id = (SELECT family_id FROM tokens WHERE token_hash = ${tokenHash})`,
    [agent.session.refreshToken],
  );
  expect(family.rows[0]).toEqual({ n: 2, revoked: 0 }); // rotated once, no reuse detected
  expect(stored!.refreshToken).toBe(expired.session.refreshToken);
  expect(stored!.refreshToken).not.toBe(agent.session.refreshToken);

  // Two instances resumed from one stored session (two `leash` processes, as the CLI's store makes
  // them): each refresh runs under the shared lock from the session as stored then, so the second
  // refreshes with the token the first rotated to, not with its own spent one (which the server
  // would take for a replay and answer by revoking the family).
  let shared = expired.session;
  let queue: Promise<unknown> = Promise.resolve();
  const sharedSession = {
    withLock<T>(fn: (current: LeashSession | null) => Promise<T>): Promise<T> {
      const turn = queue.then(() => fn(shared));
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
  const [first, second] = [1, 2].map(() => resume(shared, { dpop: agent.dpopKey, sharedSession, onSession: (session) => void (shared = session) }));
  await first!.refresh();
  await second!.refresh();
  expect(second!.session.refreshToken).toBe(shared.refreshToken);
  expect((await second!.fetch(`${baseURL}/api/v1/datasets`)).status).toBe(200);
  const sharedFamily = await testDb().query(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE revoked_at IS NOT NULL)::int AS revoked FROM tokens WHERE kind = 'REFRESH' AND family_id = (SELECT family_id FROM tokens WHERE token_hash = ${tokenHash})`,
    [agent.session.refreshToken],
  );
  expect(sharedFamily.rows[0]).toEqual({ n: 4, revoked: 0 }); // rotated twice more, no reuse detected

  // An approval wait ends when the caller gives up: nothing is left running, no workflow started.
  const controller = new AbortController();
  const waiting = expired.fetch(`${baseURL}/api/v1/workflows/wf_monthly_close/runs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ parameters: {} }),
    signal: controller.signal,
    approval: { bindingMessage: 'Run the monthly close', onPending: () => controller.abort(new Error('the user closed the chat')) },
  });
  await expect(waiting).rejects.toThrow('the user closed the chat');
  const agentId = (await testDb().query('SELECT id FROM agents WHERE client_id = $1', [agent.clientId])).rows[0].id;
  expect((await testDb().query('SELECT status::text FROM approval_requests WHERE agent_id = $1', [agentId])).rows).toEqual([{ status: 'PENDING' }]);
  expect((await testDb().query('SELECT count(*)::int AS n FROM workflow_runs WHERE agent_id = $1', [agentId])).rows[0].n).toBe(0);

  // The person revokes the agent's access in the dashboard: the next call refreshes once, is
  // refused, and ends the session with a typed error; later calls fail without a request.
  const revoked = await page.request.post(`/api/account/agents/${agentId}/revoke-access`, { headers: sameOrigin(baseURL) });
  expect(revoked.status(), await revoked.text()).toBe(200);
  calls.length = 0;
  const ended = await expired.fetch(`${baseURL}/api/v1/datasets`).catch((error: unknown) => error);
  expect(ended).toBeInstanceOf(SessionEndedError);
  expect(calls).toEqual(['GET /api/v1/datasets 401', 'POST /oauth/token 400']);
  await expect(expired.fetch(`${baseURL}/api/v1/datasets`)).rejects.toBeInstanceOf(SessionEndedError);
  expect(calls).toHaveLength(2);
});

test('one line makes a LangChain.js tool and a Vercel AI SDK tool require approval: each call waits for the person, then runs once', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('sdk-tools'), password });
  await signInInBrowser(page, user.email);
  const secret = await enrolTotp(page, baseURL!);
  const agent = await connect({
    issuer: baseURL!,
    resource: `${baseURL}/api`,
    scopes: ['workflows:trigger'],
    clientName: 'SDK tools agent',
    registrationHeaders: { 'X-Forwarded-For': uniqueIp() },
    openBrowser: (url) => allow(page, url, 'SDK tools agent'),
  });
  // The tools' own bodies: plain agent.fetch calls, written without any approval handling.
  const startRun = async (workflowId: string) => {
    const response = await agent.fetch(`${baseURL}/api/v1/workflows/${workflowId}/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ parameters: {} }) });
    return { status: response.status, run: await response.json() };
  };
  const schema = z.object({ workflow_id: z.string() });
  const pending: ApprovalPending[] = [];
  const nextPending = async () => {
    await expect.poll(() => pending.length).toBeGreaterThan(0);
    return pending.shift()!;
  };
  const agentId = (await testDb().query('SELECT id FROM agents WHERE client_id = $1', [agent.clientId])).rows[0].id;

  // LangChain.js: the wrapped tool keeps its name and schema; invoked with a tool call, as ToolNode does.
  const startWorkflow = langchainTool(async ({ workflow_id }) => JSON.stringify(await startRun(workflow_id)), { name: 'start_workflow', description: 'Start a workflow run.', schema });
  const guarded = requireApprovalForLangChain(startWorkflow, { agent, bindingMessage: (input) => `Start the workflow ${input.workflow_id} (LangChain)`, onPending: (p) => void pending.push(p) });
  expect(guarded.name).toBe('start_workflow');
  expect(guarded.description).toBe('Start a workflow run.');
  const invoked = guarded.invoke({ type: 'tool_call', id: 'call-lc', name: 'start_workflow', args: { workflow_id: 'wf_monthly_close' } });
  const asked = await nextPending();
  expect(asked.bindingMessage).toBe('Start the workflow wf_monthly_close (LangChain)');
  await approveInInbox(page, { agentName: 'SDK tools agent', bindingMessage: asked.bindingMessage, code: await totpCode(secret) });
  const message = await invoked;
  expect(message).toBeInstanceOf(ToolMessage);
  expect(message.tool_call_id).toBe('call-lc');
  expect(JSON.parse(message.content as string)).toMatchObject({ status: 201, run: { workflow_id: 'wf_monthly_close', status: 'queued' } });

  // The Vercel AI SDK: generateText runs the wrapped tool's execute for the model's tool call.
  const startWithAi = requireApprovalForAiSdk(aiTool({ description: 'Start a workflow run.', inputSchema: schema, execute: ({ workflow_id }) => startRun(workflow_id) }), {
    agent,
    bindingMessage: (input) => `Start the workflow ${input.workflow_id} (AI SDK)`,
    onPending: (p) => void pending.push(p),
  });
  const model = new MockLanguageModelV3({
    doGenerate: async () => ({
      content: [{ type: 'tool-call', toolCallId: 'call-ai', toolName: 'start_workflow', input: JSON.stringify({ workflow_id: 'wf_monthly_close' }) }],
      finishReason: { unified: 'tool-calls', raw: undefined },
      usage: { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } },
      warnings: [],
    }),
  });
  const generating = generateText({ model, tools: { start_workflow: startWithAi }, prompt: 'Run the monthly close.' });
  const askedAgain = await nextPending();
  expect(askedAgain.bindingMessage).toBe('Start the workflow wf_monthly_close (AI SDK)');
  await approveInInbox(page, { agentName: 'SDK tools agent', bindingMessage: askedAgain.bindingMessage, code: recoveryCode(secret) });
  const { toolResults } = await generating;
  expect(toolResults).toHaveLength(1);
  expect(toolResults[0]).toMatchObject({ toolCallId: 'call-ai', toolName: 'start_workflow', output: { status: 201, run: { workflow_id: 'wf_monthly_close', status: 'queued' } } });

  // Two runs, each after its own refusal, request, approval (one just-in-time token each).
  expect((await testDb().query('SELECT count(*)::int AS n FROM workflow_runs WHERE agent_id = $1', [agentId])).rows[0].n).toBe(2);
  const audit = await testDb().query(
    "SELECT action, decision::text, reason FROM audit_events WHERE agent_id = $1 AND action IN ('workflows.trigger', 'elevation.request', 'elevation.approve') ORDER BY id",
    [agentId],
  );
  // (The agent's very first API call learns the resource server's DPoP nonce: RFC 9449 §9.)
  expect(audit.rows[0]).toMatchObject({ action: 'workflows.trigger', decision: 'DENY', reason: expect.stringMatching(/nonce/i) });
  expect(audit.rows.slice(1).map((r) => `${r.action} ${r.decision}`)).toEqual([
    'workflows.trigger APPROVAL',
    'elevation.request APPROVAL',
    'elevation.approve ALLOW',
    'workflows.trigger ALLOW',
    'workflows.trigger APPROVAL',
    'elevation.request APPROVAL',
    'elevation.approve ALLOW',
    'workflows.trigger ALLOW',
  ]);
});
