// POST /api/account/notifications/digest: the daily digest of the last 24 hours, by email, now.
import { handleSendDigest } from '@/lib/endpoints/account/notifications';

export const dynamic = 'force-dynamic';

export const POST = handleSendDigest;
