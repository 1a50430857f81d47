// "Connect an agent": the first steps of docs/connect-your-agent.md, with this deployment's own MCP
// address filled in (the issuer's /mcp), for people who reach it from an empty Agents or Tokens page.
import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/page-header';
import { CopyField } from '@/components/ui/copy-field';
import { requireUser } from '@/lib/auth/session';
import { getConfig } from '@/lib/config/config';

export const metadata: Metadata = { title: 'Connect an agent' };

function Step({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section aria-label={title} className="space-y-3 rounded-2xl border border-line bg-surface p-4 text-sm leading-6 sm:p-5">
      <h2 className="font-semibold text-fg">{title}</h2>
      {children}
    </section>
  );
}

function Code({ children }: { children: string }) {
  return <pre className="overflow-x-auto rounded-lg bg-subtle px-3 py-2 font-mono text-xs text-fg">{children}</pre>;
}

export default async function ConnectPage() {
  await requireUser();
  const mcpUrl = `${getConfig().issuer}/mcp`;
  return (
    <>
      <PageHeader title="Connect an agent" description="An agent is an AI program that acts for you. Leash gives it short-lived, limited access that you can see and stop, never your password." />
      <div className="space-y-5">
        <Step title="The address your agent needs">
          <p>Leash is an MCP server. Every MCP client needs only this address; it registers itself and asks for your permission in this browser.</p>
          <CopyField value={mcpUrl} label="MCP server address" />
        </Step>
        <Step title="Claude Code, Cursor, VS Code and other MCP apps">
          <p>Claude Code:</p>
          <Code>{`claude mcp add --transport http leash ${mcpUrl}`}</Code>
          <p>Cursor (~/.cursor/mcp.json); VS Code uses “servers” and “type”: “http” in .vscode/mcp.json:</p>
          <Code>{`{ "mcpServers": { "leash": { "url": "${mcpUrl}" } } }`}</Code>
        </Step>
        <Step title="Claude Desktop, Windsurf and apps that start local servers">
          <p>They reach Leash through mcp-remote, which opens your browser for permission. On a computer without a browser, add “--device-code”: it shows a code to type on any device.</p>
          <Code>{`{ "mcpServers": { "leash": { "command": "npx", "args": ["-y", "mcp-remote", "${mcpUrl}"] } } }`}</Code>
        </Step>
        <Step title="What happens next">
          <ol className="list-decimal space-y-1 pl-5">
            <li>The first time, the app opens a Leash page that says who is asking and for what. Untick anything you do not want, then allow.</li>
            <li>The agent appears on the Agents page. Each of its calls is checked against its policy and written to the audit log.</li>
            <li>Stop it at any time with its kill switch, or revoke its tokens on the Tokens page.</li>
          </ol>
          <p className="text-muted">
            Your own code (LangChain, the Vercel AI SDK, OpenAI Agents, a command-line tool): see “Connect your agent” in Leash’s README and docs/connect-your-agent.md, which have tested examples for
            each.
          </p>
          <Link href="/agents" className="font-medium text-accent hover:underline">
            Back to Agents
          </Link>
        </Step>
      </div>
    </>
  );
}
