// POST /api/account/settings: the user's time zone and intent privacy.
import { handleUpdateSettings } from '@/lib/endpoints/account/settings';

export const dynamic = 'force-dynamic';

export const POST = handleUpdateSettings;
