// POST /oauth/register (RFC 7591 §3). Open by default; LEASH_REGISTRATION=token requires the
// initial access token LEASH_REGISTRATION_TOKEN as a bearer token (§3.1), `off` disables it.
import 'server-only';
import crypto from 'node:crypto';
import { getConfig } from '@/lib/config/config';
import { registrationMode } from '@/lib/settings/deployment-settings';
import { registerClient } from '@/lib/oauth/clients/register-client';
import { OAuthError, oauthErrorResponse, oauthJson } from '@/lib/oauth/errors';
import { clientIp } from '@/lib/http/client-ip';
import { limitRegistrationByIp } from '@/lib/oauth/rate-limits';
import { BodyNotUtf8Error, BodyTooLargeError, readBodyText } from '@/lib/http/read-body';

const MAX_BODY_BYTES = 32 * 1024;

function sameSecret(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}

/** The metadata body, bounded and strictly UTF-8 (RFC 8259 §8.1); also used by RFC 7592 updates. */
export async function readClientMetadataText(request: Request): Promise<string> {
  try {
    return await readBodyText(request, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new OAuthError('invalid_client_metadata', 'The client metadata is too large.', { status: 413 });
    if (error instanceof BodyNotUtf8Error) throw new OAuthError('invalid_client_metadata', 'The body is not valid UTF-8 JSON.');
    throw error;
  }
}

export async function handleRegister(request: Request): Promise<Response> {
  try {
    const { registration } = getConfig();
    const mode = await registrationMode();
    if (mode === 'off') {
      throw new OAuthError('access_denied', 'Dynamic client registration is disabled on this server.', { status: 403 });
    }
    if (mode === 'token') {
      const presented = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
      if (!registration.token || !sameSecret(presented, registration.token)) {
        throw new OAuthError('invalid_token', 'A valid initial access token is required to register.', {
          headers: { 'WWW-Authenticate': 'Bearer realm="leash", error="invalid_token"' },
        });
      }
    }
    limitRegistrationByIp(clientIp(request.headers));
    if (!/^application\/json\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) {
      throw new OAuthError('invalid_client_metadata', 'Send the client metadata as application/json.');
    }
    const text = await readClientMetadataText(request);
    let metadata: unknown;
    try {
      metadata = JSON.parse(text);
    } catch {
      throw new OAuthError('invalid_client_metadata', 'The body is not valid JSON.');
    }
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw new OAuthError('invalid_client_metadata', 'The client metadata must be a JSON object.');
    }
    const registered = await registerClient({ metadata, ip: clientIp(request.headers) });
    return oauthJson(registered, { status: 201 });
  } catch (error) {
    return oauthErrorResponse(error);
  }
}
