// The first step for someone with no agent yet (Agents and Tokens empty states): what an agent is,
// the one URL an MCP client needs, and where the full instructions are (/connect, from
// docs/connect-your-agent.md).
import Link from 'next/link';
import { CopyField } from '@/components/ui/copy-field';

export function ConnectFirstAgent({ mcpUrl }: { mcpUrl: string }) {
  return (
    <div className="mt-2 w-full space-y-3 rounded-xl border border-line bg-subtle/50 p-4 text-left" data-testid="connect-first-agent">
      <h3 className="text-sm font-semibold text-fg">Connect your first agent</h3>
      <p>
        An agent is an AI program that works for you: Claude, Cursor, a LangChain worker, a script. It never gets your password: it asks Leash, you see exactly what it wants, and you can stop it at
        any time.
      </p>
      <ol className="list-decimal space-y-2 pl-5">
        <li>
          Add this address to your agent’s MCP settings (in Claude Code: <span className="font-mono text-xs">claude mcp add --transport http leash {mcpUrl}</span>):
          <div className="mt-1.5">
            <CopyField value={mcpUrl} label="MCP server address" />
          </div>
        </li>
        <li>It opens this browser on a Leash page asking for your permission. Check what it asks for, then allow it.</li>
        <li>It appears here, with what it may do and what it does, live.</li>
      </ol>
      <p>
        <Link href="/connect" className="font-medium text-accent hover:underline">
          Step-by-step for Claude Desktop, Cursor, VS Code and your own code →
        </Link>
      </p>
    </div>
  );
}
