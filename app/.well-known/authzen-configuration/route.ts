// GET /.well-known/authzen-configuration (OpenID AuthZEN Authorization API 1.0 §9.2).
import { handleAuthzenConfiguration } from '@/lib/endpoints/authzen';

export const dynamic = 'force-dynamic';

export const GET = handleAuthzenConfiguration;
