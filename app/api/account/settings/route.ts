// POST /api/account/settings: the user's time zone and intent privacy.
import { handleUpdateSettings } from '@/lib/account/handle-settings';

export const dynamic = 'force-dynamic';

export const POST = handleUpdateSettings;
