// POST /oauth/par (RFC 9126 §2): pushed authorization requests.
import { handlePar } from '@/lib/endpoints/oauth/par';

export const dynamic = 'force-dynamic';

export const POST = handlePar;
