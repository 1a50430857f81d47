// /ssf/status: the Shared Signals Status Endpoint (SSF 1.0 §8.1.2).
import { handleReadStatus, handleUpdateStatus } from '@/lib/endpoints/ssf/status';

export const dynamic = 'force-dynamic';

export const GET = handleReadStatus;
export const POST = handleUpdateStatus;
