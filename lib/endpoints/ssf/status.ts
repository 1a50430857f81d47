// /ssf/status, the Status Endpoint (SSF 1.0 §8.1.2): GET reads a stream's status (§8.1.2.1),
// POST sets it (§8.1.2.2).
import 'server-only';
import { readStreamStatus, updateStreamStatus } from '@/lib/ssf/stream-status';
import { ssfEndpoint, ssfJson } from '@/lib/endpoints/ssf/ssf-endpoint';

export const handleReadStatus = ssfEndpoint({ body: false }, async ({ resource, url }) => ssfJson(await readStreamStatus(resource, url.searchParams.get('stream_id'))));

export const handleUpdateStatus = ssfEndpoint({ body: true }, async ({ resource, body }) => ssfJson(await updateStreamStatus(resource, body)));
