// GET /api/account/tokens: the signed-in user's active credentials and their agents (Tokens screen).
import { handleListCredentials } from '@/lib/account/handle-agent-controls';

export const dynamic = 'force-dynamic';

export const GET = handleListCredentials;
