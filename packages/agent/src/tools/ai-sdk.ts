// The Vercel AI SDK: a tool that needs the person's approval, in one line.
//   tools: { pay: requireApproval(payTool, { agent, bindingMessage: (i) => `Pay ${i.creditor} ${i.amount} USD` }) }
// The wrapped tool is the same object with its `execute` run under these approval options
// (./with-approval.ts): when a request it makes through `agent.fetch` is refused with 403
// approval_required or 401 insufficient_user_authentication, the agent asks the person (OpenID
// CIBA), waits for the decision, and sends that request once more with the just-in-time token. A
// denial or an expiry rejects `execute` (ApprovalDeniedError, ApprovalExpiredError), which the AI
// SDK reports as a tool error. An `execute` that streams (returns an AsyncIterable) is not covered:
// its body runs after the call returns. `ai` is an optional peer dependency of @leash/agent.
import type { Tool, ToolExecutionOptions } from 'ai';
import { LeashError } from '../errors.js';
import { approvalFor, withApproval, type ToolApprovalOptions } from './with-approval.js';

export type { ToolApprovalOptions } from './with-approval.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function requireApproval<Input = any, Output = any>(original: Tool<Input, Output>, options: ToolApprovalOptions<Input>): Tool<Input, Output> {
  const execute = original.execute;
  if (!execute) throw new LeashError('usage', 'requireApproval needs a tool with an execute function (a tool the client runs).');
  return {
    ...original,
    execute: (input: Input, callOptions: ToolExecutionOptions) => withApproval(options.agent, approvalFor(options, input), () => execute(input, callOptions)),
  } as Tool<Input, Output>;
}
