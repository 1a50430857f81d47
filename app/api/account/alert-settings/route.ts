// GET|PUT /api/account/alert-settings: the signed-in user's alert rules, webhook and auto-suspend.
import { handleGetAlertSettings, handleUpdateAlertSettings } from '@/lib/endpoints/account/alert-settings';

export const dynamic = 'force-dynamic';

export const GET = handleGetAlertSettings;
export const PUT = handleUpdateAlertSettings;
