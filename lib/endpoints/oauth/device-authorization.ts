// POST /oauth/device_authorization (RFC 8628 §3.1-3.2): a headless agent asks for access; it gets a
// device_code to poll with and a user_code the person types at /device, which leads into the normal
// sign-in and consent screen. The request is an authorization request like any other (same state
// machine, same consent, same remembered grants and kill switch), with a device code instead of a
// redirect back to the agent.
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { checkResources } from '@/lib/oauth/check-resources';
import { oauthEndpoint } from '@/lib/endpoints/oauth-endpoint';
import { formatUserCode, generateUserCode } from '@/lib/oauth/user-code';
import { resolveRequestedScopes } from '@/lib/oauth/validate-authorization-params';
import { hashToken, mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import { Prisma } from '@/lib/generated/prisma/client';
import { DEVICE_CODE_GRANT, DEVICE_CODE_TTL_SECONDS, DEVICE_POLL_INTERVAL_SECONDS } from '@/lib/oauth/grants/device-code';

export const handleDeviceAuthorization = oauthEndpoint({ ipLimit: true, registeredFor: DEVICE_CODE_GRANT }, async ({ params, client }) => {
  const scopes = await resolveRequestedScopes(params.get('scope'), client);
  const resources = await checkResources(params.resources);
  const { issuer } = getConfig();
  const deviceCode = mintToken(TOKEN_PREFIX.deviceCode);
  const now = Date.now();
  // A user code is unique among live requests; on the rare collision, draw again.
  for (let attempt = 0; ; attempt++) {
    const userCode = generateUserCode();
    try {
      await db().authorizationRequest.create({
        data: {
          id: crypto.randomBytes(24).toString('base64url'),
          agentId: client.id,
          redirectUri: `${issuer}/device/done`,
          redirectUriSent: false,
          scopes,
          resources,
          // No authorization code is ever exchanged for a device request: an unknowable challenge.
          codeChallenge: crypto.randomBytes(32).toString('base64url'),
          acrValues: [],
          consentTokenHash: hashToken(crypto.randomBytes(32).toString('base64url')),
          deviceCodeHash: hashToken(deviceCode),
          userCode,
          pollIntervalSeconds: DEVICE_POLL_INTERVAL_SECONDS,
          expiresAt: new Date(now + DEVICE_CODE_TTL_SECONDS * 1000),
        },
      });
      return {
        device_code: deviceCode,
        user_code: formatUserCode(userCode),
        verification_uri: `${issuer}/device`,
        verification_uri_complete: `${issuer}/device?user_code=${formatUserCode(userCode)}`,
        expires_in: DEVICE_CODE_TTL_SECONDS,
        interval: DEVICE_POLL_INTERVAL_SECONDS,
      };
    } catch (error) {
      const collision = error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
      if (!collision || attempt >= 3) throw error;
    }
  }
});
