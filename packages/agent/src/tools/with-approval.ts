// Approval options for every call a piece of code makes through an agent, without passing them to
// each `agent.fetch`: the code runs inside `withApproval(agent, options, fn)`, and the agent's
// fetch reads them from an AsyncLocalStorage when a call is refused for approval or step-up. The
// framework wrappers (./langchain.ts, ./ai-sdk.ts) run each tool call this way, so a tool written
// with `agent.fetch` asks the person with the tool's own binding message, waits, and retries once.
// Node (and runtimes with node:async_hooks); the SDK's core does not import it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { AMBIENT_APPROVAL, type ApprovalOptions, type LeashAgent } from '../agent.js';

/** One store per agent: a tool wrapped for one agent never lends its binding message to another's calls. */
const stores = new WeakMap<LeashAgent, AsyncLocalStorage<ApprovalOptions>>();

export function withApproval<T>(agent: LeashAgent, options: ApprovalOptions, fn: () => T): T {
  let store = stores.get(agent);
  if (!store) {
    store = new AsyncLocalStorage<ApprovalOptions>();
    stores.set(agent, store);
    agent[AMBIENT_APPROVAL] = store;
  }
  return store.run(options, fn);
}

/** How a wrapped tool asks: from the tool's input, so the person reads what this call would do. */
export type ToolApprovalOptions<Input> = {
  agent: LeashAgent;
  /** The line the person reads in their Approvals inbox (CIBA binding_message, at most 200 characters). */
  bindingMessage: string | ((input: Input) => string);
  /** RFC 9396 details the approval is for (a payment: its exact payment_initiation details). */
  authorizationDetails?: (input: Input) => unknown[];
  /** The scope to ask for; default the refusal's `required_scope`. */
  scope?: string;
  /** Called once the person has been asked (show "waiting for approval" in the app). */
  onPending?: ApprovalOptions['onPending'];
};

export function approvalFor<Input>(options: ToolApprovalOptions<Input>, input: Input): ApprovalOptions {
  return {
    bindingMessage: typeof options.bindingMessage === 'function' ? options.bindingMessage(input) : options.bindingMessage,
    ...(options.authorizationDetails ? { authorizationDetails: options.authorizationDetails(input) } : {}),
    ...(options.scope ? { scope: options.scope } : {}),
    ...(options.onPending ? { onPending: options.onPending } : {}),
  };
}
