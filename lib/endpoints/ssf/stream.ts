// /ssf/stream, the Configuration Endpoint (SSF 1.0 §8.1.1): POST creates the resource's stream
// (§8.1.1.1, 201), GET reads it or lists them (§8.1.1.2), PATCH updates (§8.1.1.3), PUT replaces
// (§8.1.1.4), DELETE removes it (§8.1.1.5, 204).
import 'server-only';
import { createStream, deleteStream, readStreams, updateStream } from '@/lib/ssf/manage-stream';
import { ssfEndpoint, ssfJson, ssfNoContent } from '@/lib/endpoints/ssf/ssf-endpoint';

export const handleCreateStream = ssfEndpoint({ body: true }, async ({ resource, body }) => ssfJson(await createStream(resource, body), 201));

export const handleReadStream = ssfEndpoint({ body: false }, async ({ resource, url }) => ssfJson(await readStreams(resource, url.searchParams.get('stream_id'))));

export const handleUpdateStream = ssfEndpoint({ body: true }, async ({ resource, body }) => ssfJson(await updateStream(resource, body, 'patch')));

export const handleReplaceStream = ssfEndpoint({ body: true }, async ({ resource, body }) => ssfJson(await updateStream(resource, body, 'replace')));

export const handleDeleteStream = ssfEndpoint({ body: false }, async ({ resource, url }) => {
  await deleteStream(resource, url.searchParams.get('stream_id'));
  return ssfNoContent();
});
