// POST /oauth/register (RFC 7591 §3): dynamic client registration.
import { handleRegister } from '@/lib/endpoints/oauth/register';

export const dynamic = 'force-dynamic';

export const POST = handleRegister;
