// GET /api/live: Server-Sent Events of the signed-in user's token and agent changes.
import { handleLiveEvents } from '@/lib/endpoints/live';

export const dynamic = 'force-dynamic';

export const GET = handleLiveEvents;
