// GET, POST /api/account/agents/{id}/api-keys: the agent's API keys; make one (shown once). See lib/endpoints/account/api-keys.ts.
import { handleCreateApiKey, handleListApiKeys } from '@/lib/endpoints/account/api-keys';

export const dynamic = 'force-dynamic';

export const GET = handleListApiKeys;
export const POST = handleCreateApiKey;
