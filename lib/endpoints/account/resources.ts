// The administrators' JSON routes for protected resources (issue 14 §1), the dashboard's Resources
// screen and the documented API behind it:
// - GET    /api/admin/resources               every resource, Leash's own two first
// - POST   /api/admin/resources               register an API: 201 with its credentials (the secret once)
// - DELETE /api/admin/resources/{id}          remove it and revoke every token for it
// - POST   /api/admin/resources/{id}/secret   a new client secret (the old one stops at once)
import 'server-only';
import type { z } from 'zod';
import { ApiError } from '@/lib/http/api-error';
import { noStoreJson, sessionRoute } from '@/lib/endpoints/session-route';
import { listProtectedResources, type ProtectedResourceRecord } from '@/lib/protected-resources/registry';
import { registerProtectedResource, removeProtectedResource, ResourceProblem, rotateResourceSecret } from '@/lib/protected-resources/manage-resources';
import { resourceRegistrationSchema } from '@/lib/protected-resources/resource-input';
import { getConfig } from '@/lib/config/config';

const admin = { signIn: 'Sign in as an administrator.', admin: 'Only an administrator can manage protected resources.' };

function fieldErrors(error: z.ZodError) {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    (errors[path[0] ?? 'form'] ??= []).push(path.length > 1 ? `${path.slice(1).join('.')}: ${issue.message}` : issue.message);
  }
  return errors;
}

function asApiError(error: unknown): never {
  if (error instanceof ResourceProblem) {
    const status = { invalid: 400, conflict: 409, not_found: 404, forbidden: 403 }[error.kind];
    const code = ({ invalid: 'invalid_request', conflict: 'conflict', not_found: 'not_found', forbidden: 'forbidden' } as const)[error.kind];
    throw new ApiError(status, code, error.message, error.field ? { [error.field]: [error.message] } : undefined);
  }
  throw error;
}

/** What the screen and the API show of a resource (never its secret's hash or keys). */
function present(resource: ProtectedResourceRecord) {
  const { issuer } = getConfig();
  return {
    id: resource.id,
    identifier: resource.identifier,
    name: resource.name,
    description: resource.description,
    scopes: resource.scopes,
    actions: resource.actions,
    tokenFormat: resource.tokenFormat,
    clientId: resource.clientId,
    authMethod: resource.authMethod,
    builtIn: resource.builtIn,
    createdAt: resource.createdAt.toISOString(),
    // Where Leash publishes its RFC 9728 document (the resource-server kit serves it on the API's host).
    metadataUrl: `${issuer}/.well-known/oauth-protected-resource/${resource.slug ?? resource.id}`,
  };
}

export type PresentedResource = ReturnType<typeof present>;

export const handleListResources = sessionRoute(admin, async () => ({ resources: (await listProtectedResources()).map(present) }));

export const handleRegisterResource = sessionRoute(
  { ...admin, body: resourceRegistrationSchema, invalid: (error) => new ApiError(400, 'invalid_request', 'Some fields are not valid.', fieldErrors(error)) },
  async ({ user, body, ip }) => {
    const { resource, clientSecret } = await registerProtectedResource(body, { id: user.id, ip }).catch(asApiError);
    return noStoreJson({ resource: present(resource), client_id: resource.clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) }, { status: 201 });
  },
);

export const handleRemoveResource = sessionRoute({ ...admin, id: 'No such API.' }, async ({ user, id, ip }) => {
  return removeProtectedResource(id, { id: user.id, ip }).catch(asApiError);
});

export const handleRotateResourceSecret = sessionRoute({ ...admin, id: 'No such API.' }, async ({ user, id, ip }) => {
  const { clientSecret } = await rotateResourceSecret(id, { id: user.id, ip }).catch(asApiError);
  return { client_secret: clientSecret };
});
