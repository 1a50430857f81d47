// The grant types the token endpoint supports, looked up by `grant_type`.
import 'server-only';
import { authorizationCodeGrant } from '@/lib/oauth/grants/authorization-code';
import { clientCredentialsGrant } from '@/lib/oauth/grants/client-credentials';
import { refreshTokenGrant } from '@/lib/oauth/grants/refresh-token';
import { tokenExchangeGrant } from '@/lib/oauth/grants/token-exchange';
import { deviceCodeGrant } from '@/lib/oauth/grants/device-code';
import { cibaGrant } from '@/lib/oauth/grants/ciba';
import type { Grant } from '@/lib/oauth/grants/types';

const GRANTS: Grant[] = [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant, tokenExchangeGrant, deviceCodeGrant, cibaGrant];

export function findGrant(grantType: string): Grant | undefined {
  return GRANTS.find((g) => g.grantType === grantType);
}

export function supportedGrantTypes(): string[] {
  return GRANTS.map((g) => g.grantType);
}
