// POST /api/account/alert-settings/webhook-secret: a new webhook signing secret, shown once.
import { handleNewWebhookSecret } from '@/lib/endpoints/account/alert-settings';

export const dynamic = 'force-dynamic';

export const POST = handleNewWebhookSecret;
