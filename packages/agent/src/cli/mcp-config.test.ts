import { describe, expect, it } from 'vitest';
import { bridgeCommand, MCP_CLIENTS, mcpConfig, mcpConfigHint } from './mcp-config';

const target = { issuer: 'https://leash.example', resource: 'https://leash.example/mcp' };
const args = ['leash', 'mcp', '--issuer', 'https://leash.example', '--resource', 'https://leash.example/mcp'];

describe('mcp-config', () => {
  it("writes each client's own format: Claude Code and VS Code with type stdio, VS Code under servers, Cursor and Claude Desktop under mcpServers", () => {
    expect(mcpConfig('claude-code', target)).toEqual({ mcpServers: { leash: { type: 'stdio', command: 'npx', args } } });
    expect(mcpConfig('vscode', target)).toEqual({ servers: { leash: { type: 'stdio', command: 'npx', args } } });
    expect(mcpConfig('cursor', target)).toEqual({ mcpServers: { leash: { command: 'npx', args } } });
    expect(mcpConfig('claude-desktop', { ...target, name: 'finance' })).toEqual({ mcpServers: { finance: { command: 'npx', args } } });
  });

  it('names the MCP endpoint only when it is not the resource', () => {
    expect(bridgeCommand({ ...target, url: target.resource }).args).toEqual(args);
    expect(bridgeCommand({ ...target, resource: 'https://api.example', url: 'https://api.example/mcp' }).args).toEqual([
      ...args.slice(0, 5),
      'https://api.example',
      '--url',
      'https://api.example/mcp',
    ]);
  });

  it('keeps the store directories (paths) and never the credentials key, whatever the environment holds', () => {
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
    const env = { LEASH_CONFIG_DIR: '/home/a/.leash', LEASH_KEY_DIR: '/keys/leash', LEASH_CREDENTIALS_KEY: key, LEASH_TOKEN: 'lsh_at_x', HOME: '/home/a' };
    for (const client of MCP_CLIENTS) {
      const text = JSON.stringify(mcpConfig(client, { ...target, env }));
      expect(text).not.toContain(key);
      expect(text).not.toContain('lsh_');
      expect(text).not.toContain('CREDENTIALS_KEY');
      expect(text).toContain('"env":{"LEASH_CONFIG_DIR":"/home/a/.leash","LEASH_KEY_DIR":"/keys/leash"}');
    }
  });

  it('tells where the snippet goes and how to sign in first', () => {
    expect(mcpConfigHint('claude-code', target)).toContain(`claude mcp add --scope project leash -- npx ${args.join(' ')}`);
    expect(mcpConfigHint('vscode', target)).toContain('.vscode/mcp.json');
    for (const client of MCP_CLIENTS) expect(mcpConfigHint(client, target)).toContain('npx leash login https://leash.example --resource https://leash.example/mcp');
  });
});
