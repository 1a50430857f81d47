// A resource server authenticates to Leash (introspection, AuthZEN, Shared Signals) with its own
// credentials, the way a client does at the token endpoint (RFC 6749 §2.3; RFC 7662 §2.1 "the
// endpoint MUST require some form of authorization"): client_secret_basic, client_secret_post, or
// private_key_jwt (RFC 7523), whichever it was registered with, and never an agent's credentials.
import 'server-only';
import { invalidClient, readPresentedCredentials } from '@/lib/oauth/clients/authenticate-client';
import { verifyClientAssertion } from '@/lib/oauth/clients/verify-client-assertion';
import { OAuthParams } from '@/lib/oauth/read-form';
import { matchesHash } from '@/lib/tokens/opaque-token';
import { findResourceCredentials, type ProtectedResourceRecord } from '@/lib/protected-resources/registry';
import type { MachineRequest } from '@/lib/http/machine-request';

const NO_PARAMS = new OAuthParams(new Map(), []);

/** Resource servers' client ids start so (agents' with `agent_`); anything else is not one. */
export function isResourceServerClientId(clientId: string | undefined): boolean {
  return clientId?.startsWith('rs_') ?? false;
}

/** The registered resource whose credentials the request carries, or 401 invalid_client. */
export async function authenticateResourceServer(request: MachineRequest, params: OAuthParams = NO_PARAMS): Promise<ProtectedResourceRecord> {
  const presented = readPresentedCredentials(request, params);
  const usedBasic = presented.usedBasic;
  if (!presented.clientId) throw invalidClient(false, 'Resource server authentication is required.');
  const found = await findResourceCredentials(presented.clientId);
  // Compare even when nothing was found, so timing does not tell which ids exist.
  const secretOk = presented.secret !== undefined && matchesHash(presented.secret, found?.clientSecretHash ?? null);
  if (!found || !found.authMethod) throw invalidClient(usedBasic);
  if (found.authMethod !== presented.method) throw invalidClient(usedBasic, `This resource server must authenticate with ${found.authMethod}.`);
  if (presented.method === 'private_key_jwt') {
    if (!(await verifyClientAssertion({ assertion: presented.assertion!, clientId: found.clientId!, jwks: found.jwks }))) {
      throw invalidClient(false, 'The client assertion is invalid, expired or was already used.');
    }
  } else if (!secretOk) {
    throw invalidClient(usedBasic);
  }
  const { clientSecretHash: _hash, jwks: _jwks, ...record } = found;
  return record;
}
