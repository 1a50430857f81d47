// POST /oauth/device_authorization (RFC 8628 §3.1).
import { handleDeviceAuthorization } from '@/lib/endpoints/oauth/device-authorization';

export const dynamic = 'force-dynamic';

export const POST = handleDeviceAuthorization;
