// LangChain.js: a tool that needs the person's approval, in one line.
//   const pay = requireApproval(payTool, { agent, bindingMessage: (i) => `Pay ${i.creditor} ${i.amount} USD` });
// The wrapped tool has the same name, description and schema. Each call runs the original tool
// with these approval options (./with-approval.ts): when a request it makes through `agent.fetch`
// is refused with 403 approval_required or 401 insufficient_user_authentication, the agent asks
// the person (OpenID CIBA), waits for the decision, and sends that request once more with the
// just-in-time token. A denial or an expiry rejects the call (ApprovalDeniedError,
// ApprovalExpiredError): LangChain's ToolNode turns it into a ToolMessage the model reads.
// @langchain/core is an optional peer dependency of @leash/agent.
import { tool as defineTool, type StructuredToolInterface } from '@langchain/core/tools';
import type { RunnableConfig } from '@langchain/core/runnables';
import { approvalFor, withApproval, type ToolApprovalOptions } from './with-approval.js';

export type { ToolApprovalOptions } from './with-approval.js';

// The wrapped tool keeps the original's schema whatever its kind (Zod 3, Zod 4, JSON schema), so
// the input is typed loosely here and checked by the original tool on invoke.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyInput = any;

export function requireApproval<T extends StructuredToolInterface>(original: T, options: ToolApprovalOptions<AnyInput>) {
  return defineTool(async (input: AnyInput, config?: RunnableConfig) => withApproval(options.agent, approvalFor(options, input), () => original.invoke(input, config)), {
    name: original.name,
    description: original.description,
    schema: original.schema as AnyInput,
  });
}
