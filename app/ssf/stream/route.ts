// /ssf/stream: the Shared Signals Configuration Endpoint (SSF 1.0 §8.1.1).
import { handleCreateStream, handleDeleteStream, handleReadStream, handleReplaceStream, handleUpdateStream } from '@/lib/endpoints/ssf/stream';

export const dynamic = 'force-dynamic';

export const POST = handleCreateStream;
export const GET = handleReadStream;
export const PATCH = handleUpdateStream;
export const PUT = handleReplaceStream;
export const DELETE = handleDeleteStream;
