// POST /ssf/verify, the Verification Endpoint (SSF 1.0 §8.1.4.2): queues a verification event
// carrying the receiver's `state`; 204 (delivered asynchronously, like every SET).
import 'server-only';
import { requestVerification } from '@/lib/ssf/stream-status';
import { ssfEndpoint, ssfNoContent } from '@/lib/endpoints/ssf/ssf-endpoint';

export const handleVerify = ssfEndpoint({ body: true }, async ({ resource, body }) => {
  await requestVerification(resource, body);
  return ssfNoContent();
});
