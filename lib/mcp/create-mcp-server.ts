// The MCP server's tools for one authenticated call. Each tool is an action of the agents' API and
// goes through the same authorization as the HTTP routes (scopes, rate limit, Cedar policy) and
// the same audit; a refusal comes back as a tool error the model can read.
import 'server-only';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { db } from '@/lib/db/client';
import type { ActionName } from '@/lib/policy/actions';
import { authorizeAction } from '@/lib/resource/authorize-action';
import type { CallContext } from '@/lib/resource/call-context';
import { recordAllowed } from '@/lib/resource/protect';
import type { FoundToken } from '@/lib/tokens/find-token';
import { SAMPLE_DATASETS, SAMPLE_REPORTS } from '@/lib/workspace/sample-workspace';

type ToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean };

const TOOLS: { name: string; title: string; description: string; action: ActionName; run: () => unknown }[] = [
  {
    name: 'list_datasets',
    title: 'List datasets',
    description: 'Lists the datasets in the workspace, with their size and sensitivity. Needs datasets:read.',
    action: 'datasets.list',
    run: () => ({ datasets: SAMPLE_DATASETS }),
  },
  {
    name: 'list_reports',
    title: 'List reports',
    description: 'Lists the reports in the workspace. Needs reports:read.',
    action: 'reports.list',
    run: () => ({ reports: SAMPLE_REPORTS }),
  },
];

export function createMcpServer(call: CallContext, token: FoundToken): McpServer {
  const server = new McpServer({ name: 'leash', version: '0.1.0' });
  for (const tool of TOOLS) {
    server.registerTool(tool.name, { title: tool.title, description: tool.description }, async (): Promise<ToolResult> => {
      const authorized = await authorizeAction(call, { token, resource: 'mcp', action: tool.action });
      if ('refused' in authorized) {
        return { isError: true, content: [{ type: 'text', text: await authorized.refused.text() }] };
      }
      const { allowed } = authorized;
      const result = await db().$transaction(async (tx) => {
        const output = tool.run();
        await recordAllowed(tx, call, token, tool.action, allowed.reason, allowed.scopes, {
          tool: tool.name,
          ...(allowed.decision.outcome === 'notify' ? { notify: true } : {}),
        });
        return output;
      });
      return { content: [{ type: 'text', text: JSON.stringify(result) }] };
    });
  }
  return server;
}
