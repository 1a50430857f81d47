// GET /.well-known/ssf-configuration: the Shared Signals transmitter's metadata (SSF 1.0 §7).
import { handleSsfConfiguration } from '@/lib/endpoints/well-known/ssf-configuration';

export const dynamic = 'force-dynamic';

export const GET = handleSsfConfiguration;
