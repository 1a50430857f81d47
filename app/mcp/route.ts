// POST|GET|DELETE /mcp: the MCP server (Streamable HTTP transport), protected by bearer tokens.
import { handleMcp } from '@/lib/endpoints/mcp';

export const dynamic = 'force-dynamic';

export { handleMcp as GET, handleMcp as POST, handleMcp as DELETE };
