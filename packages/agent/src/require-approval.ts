// A tool that needs the person's approval, in one line, without a framework:
//   const pay = requireApproval(agent, (args) => ({ bindingMessage: `Pay ${args.creditor}`, ... }), async (args, { fetch }) => ...);
// Each call first asks the person (OpenID CIBA through the agent) and waits for the decision; the
// tool then runs with a `fetch` that carries the just-in-time token for exactly that action. A
// denial or an expiry rejects the call (ApprovalDeniedError, ApprovalExpiredError) and the tool
// never runs.
import type { ApprovalOptions, LeashAgent, LeashRequestInit } from './agent.js';

export type ApprovedContext = { fetch: (input: RequestInfo | URL, init?: LeashRequestInit) => Promise<Response> };

export function requireApproval<Args, Result>(
  agent: LeashAgent,
  describe: (args: Args) => ApprovalOptions & { scope?: string; resource?: string },
  tool: (args: Args, context: ApprovedContext) => Promise<Result>,
  options: { signal?: AbortSignal } = {},
): (args: Args) => Promise<Result> {
  return async (args: Args) => {
    const ask = describe(args);
    const tokens = await agent.approve('POST', ask.resource ?? agent.session.resource, null, { ...ask, signal: options.signal });
    return tool(args, { fetch: (input, init) => agent.fetchWith(tokens, input, init) });
  };
}
