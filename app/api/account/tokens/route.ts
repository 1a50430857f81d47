// GET /api/account/tokens: the signed-in user's active credentials and their agents (Tokens screen).
import { handleListCredentials } from '@/lib/endpoints/account/agents';

export const dynamic = 'force-dynamic';

export const GET = handleListCredentials;
