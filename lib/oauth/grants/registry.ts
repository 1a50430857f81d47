// The grant types the token endpoint supports, looked up by `grant_type`.
import 'server-only';
import { clientCredentialsGrant } from '@/lib/oauth/grants/client-credentials';
import type { Grant } from '@/lib/oauth/grants/types';

const GRANTS: Grant[] = [clientCredentialsGrant];

export function findGrant(grantType: string): Grant | undefined {
  return GRANTS.find((g) => g.grantType === grantType);
}

export function supportedGrantTypes(): string[] {
  return GRANTS.map((g) => g.grantType);
}
