// `leash mcp-config <client>`: the configuration that makes a stdio-only MCP client run the bridge
// (`npx leash mcp --issuer … --resource …`), in each client's own format. It names a command and
// two URLs and nothing else: the bridge reads the credentials from the CLI's store when it starts,
// so the file can be committed, shared and synced without handing anyone access.
//   claude-code     .mcp.json at the project root (or `claude mcp add --scope project …`): "mcpServers", type "stdio"
//   cursor          ~/.cursor/mcp.json, or .cursor/mcp.json in a project: "mcpServers"
//   vscode          .vscode/mcp.json: "servers", type "stdio"
//   claude-desktop  claude_desktop_config.json: "mcpServers"

export const MCP_CLIENTS = ['claude-code', 'cursor', 'vscode', 'claude-desktop'] as const;
export type McpClient = (typeof MCP_CLIENTS)[number];

export type McpConfigOptions = {
  issuer: string;
  /** The protected resource the tokens are for (RFC 8707). */
  resource: string;
  /** The MCP endpoint when it is not the resource identifier itself. */
  url?: string;
  /** The server's name in the client. Default `leash`. */
  name?: string;
  /**
   * Environment the bridge needs to find the store when it is not in the default place: only the
   * directory variables are kept (paths, not secrets). LEASH_CREDENTIALS_KEY is never written.
   */
  env?: Record<string, string | undefined>;
};

/** Variables a config may carry: where the store is. Everything else (LEASH_CREDENTIALS_KEY above all) stays out. */
const PATH_VARIABLES = ['LEASH_CONFIG_DIR', 'LEASH_KEY_DIR'] as const;

export function isMcpClient(name: string): name is McpClient {
  return (MCP_CLIENTS as readonly string[]).includes(name);
}

/** The command line each client runs. */
export function bridgeCommand(options: McpConfigOptions): { command: string; args: string[]; env: Record<string, string> } {
  const args = ['leash', 'mcp', '--issuer', options.issuer, '--resource', options.resource, ...(options.url && options.url !== options.resource ? ['--url', options.url] : [])];
  const env: Record<string, string> = {};
  for (const name of PATH_VARIABLES) {
    const value = options.env?.[name];
    if (value) env[name] = value;
  }
  return { command: 'npx', args, env };
}

/** The config document for `client` (JSON, ready to save or merge into the file the client reads). */
export function mcpConfig(client: McpClient, options: McpConfigOptions): Record<string, unknown> {
  const name = options.name ?? 'leash';
  const { command, args, env } = bridgeCommand(options);
  const withEnv = Object.keys(env).length ? { env } : {};
  switch (client) {
    case 'claude-code':
      return { mcpServers: { [name]: { type: 'stdio', command, args, ...withEnv } } };
    case 'vscode':
      return { servers: { [name]: { type: 'stdio', command, args, ...withEnv } } };
    case 'cursor':
    case 'claude-desktop':
      return { mcpServers: { [name]: { command, args, ...withEnv } } };
  }
}

/** Where the snippet goes, and the equivalent one-liner where the client has one; printed on stderr. */
export function mcpConfigHint(client: McpClient, options: McpConfigOptions): string {
  const name = options.name ?? 'leash';
  const { command, args } = bridgeCommand(options);
  const login = `Sign in first (once): npx leash login ${options.issuer} --resource ${options.resource}`;
  const where: Record<McpClient, string> = {
    'claude-code': `Save as .mcp.json at the project root, or run: claude mcp add --scope project ${name} -- ${[command, ...args].join(' ')}`,
    cursor: 'Merge into ~/.cursor/mcp.json (every project) or .cursor/mcp.json (this project).',
    vscode: 'Save as .vscode/mcp.json in the workspace (or merge into the "servers" of your user mcp.json).',
    'claude-desktop':
      'Merge into claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/, Windows: %APPDATA%\\Claude\\), then restart Claude Desktop. It starts servers with a minimal PATH: use the full path of npx if it is not found.',
  };
  return `${where[client]}\n${login}\nThe config holds no token or key: the bridge reads the credentials from the leash store when it starts.`;
}
