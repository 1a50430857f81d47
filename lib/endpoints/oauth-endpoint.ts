// The machine endpoints' pipeline, declared in one line per endpoint (as node-oidc-provider lists
// each endpoint's steps): what runs before the endpoint's own logic, always in this order:
//   1. ipLimit        the per-address limit (429 slow_down, lib/oauth/rate-limits.ts)
//   2. the form       application/x-www-form-urlencoded, no repeated parameters (RFC 6749 §3.2)
//   3. require        parameters checked before anything else is spent on the request
//   4. dpop           the DPoP proof, if any (RFC 9449 §5: a missing or stale nonce comes first)
//   5. the client     authenticated (RFC 6749 §2.3; public clients send their client_id), or,
//                     where `clientOfGrant` is given and names one, the client the grant's own
//                     credential stands for (an API key exchanged with no client authentication,
//                     RFC 8693 §2.1);
//                     `confidential` refuses public clients with its sentence (401 invalid_client);
//                     where `resourceServers` is given, a registered resource server's credentials
//                     (`rs_…`) are authenticated instead and that function answers (introspection)
//   6. clientLimit    the per-client limit; a function is told of the refusal first (to audit it)
//   7. registeredFor  the grant type the client must have registered (unauthorized_client)
// The endpoint returns its JSON body (sent with no-store) or a Response; every OAuthError becomes
// the RFC 6749 §5.2 error response, anything else a logged 500 server_error.
import 'server-only';
import { authenticateClient, type AuthenticatedClient } from '@/lib/oauth/clients/authenticate-client';
import { readDpopProof } from '@/lib/oauth/dpop/read-dpop-proof';
import { clientIp } from '@/lib/http/client-ip';
import { assertClockTrusted } from '@/lib/clock/trusted-clock';
import { OAuthError, oauthErrorResponse, oauthJson } from '@/lib/oauth/errors';
import { limitTokenRequestByClient, limitTokenRequestByIp } from '@/lib/oauth/rate-limits';
import { readOAuthForm, type OAuthParams } from '@/lib/oauth/read-form';
import { readPresentedCredentials } from '@/lib/oauth/clients/authenticate-client';
import { authenticateResourceServer, isResourceServerClientId } from '@/lib/oauth/clients/authenticate-resource-server';
import type { ProtectedResourceRecord } from '@/lib/protected-resources/registry';
import type { MachineRequest } from '@/lib/http/machine-request';

type DpopProof = Awaited<ReturnType<typeof readDpopProof>>;

export type Pipeline = {
  ipLimit?: boolean;
  require?: readonly string[];
  dpop?: boolean;
  confidential?: string;
  clientLimit?: boolean | ((client: AuthenticatedClient, ip: string) => Promise<void>);
  registeredFor?: string;
  /**
   * The client a request's grant credential stands for when the request authenticates no client
   * (null: authenticate as usual). Only the token endpoint, for API keys (lib/oauth/exchange-api-key.ts).
   */
  clientOfGrant?: (request: MachineRequest, params: OAuthParams, ip: string) => AuthenticatedClient | null | Promise<AuthenticatedClient | null>;
  /** The endpoint's answer to a registered resource server (its own credentials, not an agent's). */
  resourceServers?: (input: ResourceServerInput) => Promise<unknown>;
};

export type ResourceServerInput = { request: MachineRequest; params: OAuthParams; resource: ProtectedResourceRecord; ip: string };

export type EndpointInput = { request: MachineRequest; params: OAuthParams; client: AuthenticatedClient; ip: string; dpop: DpopProof };

export function oauthEndpoint(pipeline: Pipeline, endpoint: (input: EndpointInput) => Promise<unknown>): (request: MachineRequest) => Promise<Response> {
  return async (request) => {
    try {
      // Nothing about tokens and their expiry is decided on a clock that jumped (503).
      const firstSample = assertClockTrusted();
      if (firstSample) await firstSample;
      const ip = clientIp(request.headers);
      if (pipeline.ipLimit) limitTokenRequestByIp(ip);
      const params = await readOAuthForm(request);
      for (const name of pipeline.require ?? []) if (!params.get(name)) throw new OAuthError('invalid_request', `${name} is required.`);
      // (No proof, no promise: a request without a DPoP header, the common case, is answered at once.)
      const proof = pipeline.dpop ? readDpopProof(request) : null;
      const dpop = proof instanceof Promise ? await proof : proof;
      if (pipeline.resourceServers && isResourceServerClientId(readPresentedCredentials(request, params).clientId)) {
        const resource = await authenticateResourceServer(request, params);
        const answer = await pipeline.resourceServers({ request, params, resource, ip });
        return answer instanceof Response ? answer : oauthJson(answer);
      }
      const ofGrant = pipeline.clientOfGrant?.(request, params, ip) ?? null;
      const client = (ofGrant instanceof Promise ? await ofGrant : ofGrant) ?? (await authenticateClient(request, params));
      if (pipeline.confidential && !client.confidential) throw new OAuthError('invalid_client', pipeline.confidential, { status: 401 });
      if (pipeline.clientLimit) {
        const refused = typeof pipeline.clientLimit === 'function' ? pipeline.clientLimit : null;
        try {
          limitTokenRequestByClient(client.id);
        } catch (error) {
          await refused?.(client, ip);
          throw error;
        }
      }
      if (pipeline.registeredFor && !client.grantTypes.includes(pipeline.registeredFor)) {
        throw new OAuthError('unauthorized_client', `This client is not registered for ${pipeline.registeredFor}.`);
      }
      const answer = await endpoint({ request, params, client, ip, dpop });
      return answer instanceof Response ? answer : oauthJson(answer);
    } catch (error) {
      return oauthErrorResponse(error);
    }
  };
}
