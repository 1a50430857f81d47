// Which scope each MCP tool needs (the operation's, lib/scopes/actions.ts), for the challenges the
// MCP endpoint answers before any tool runs.
import 'server-only';
import { ACTIONS, type ActionName } from '@/lib/scopes/actions';
import { expandScopes, formatScope, SCOPES, type Scope } from '@/lib/scopes/scopes';
import { OPERATIONS } from '@/lib/workspace/operations';

const TOOL_ACTIONS = new Map<string, ActionName>(OPERATIONS.map((operation) => [operation.tool, operation.action]));

/**
 * The scope of the first 401 at /mcp: every scope the tools need that is not high risk. MCP
 * clients ask for exactly this (and register with it); high-risk scopes (workflows, invoice
 * disputes, payments) come later, by step-up, when a tool needs them. The person can still untick
 * any of these on the consent screen.
 */
export const MCP_FIRST_SCOPE = formatScope([...new Set(OPERATIONS.map((operation) => ACTIONS[operation.action].scope as Scope).filter((scope) => SCOPES[scope].risk !== 'high'))]);

export type MissingScope = { tool: string; action: ActionName; scope: string; challengeScope: string };

/**
 * The first `tools/call` in a JSON-RPC message (or batch) whose tool needs a scope the token does
 * not hold, or null. Unknown tools and other methods are left to the MCP server.
 */
export function missingToolScope(message: unknown, held: readonly string[]): MissingScope | null {
  const messages = Array.isArray(message) ? message : [message];
  const expanded = expandScopes(held);
  for (const m of messages) {
    if (!m || typeof m !== 'object' || (m as { method?: unknown }).method !== 'tools/call') continue;
    const name = (m as { params?: { name?: unknown } }).params?.name;
    const action = typeof name === 'string' ? TOOL_ACTIONS.get(name) : undefined;
    if (!action) continue;
    const scope = ACTIONS[action].scope;
    if (expanded.has(scope)) continue;
    // The challenge names the scopes the token holds plus the missing one: clients that replace
    // their scope with the challenge's (MCP TypeScript SDK 1.x) keep what they had, and clients
    // that accumulate (SEP-2350) are unaffected.
    return { tool: name as string, action, scope, challengeScope: formatScope([...new Set([...held, scope])]) };
  }
  return null;
}
