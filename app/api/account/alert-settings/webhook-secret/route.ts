// POST /api/account/alert-settings/webhook-secret: a new webhook signing secret, shown once.
import { handleNewWebhookSecret } from '@/lib/alerts/handle-alert-settings';

export const dynamic = 'force-dynamic';

export const POST = handleNewWebhookSecret;
