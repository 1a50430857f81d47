// POST /api/admin/registration {mode}: an administrator opens or closes client registration.
import { handleSetRegistrationMode } from '@/lib/endpoints/account/settings';

export const dynamic = 'force-dynamic';

export const POST = handleSetRegistrationMode;
