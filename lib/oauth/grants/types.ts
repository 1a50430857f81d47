import 'server-only';
import type { AuthenticatedClient } from '@/lib/clients/authenticate-client';
import type { OAuthParams } from '@/lib/oauth/read-form';

export type TokenResponse = {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
};

export type GrantContext = { client: AuthenticatedClient; params: OAuthParams; ip: string };

/** One grant type (STYLE habit 2): found by `grant_type`; adding one never edits the endpoint. */
export type Grant = {
  grantType: string;
  handle: (context: GrantContext) => Promise<TokenResponse>;
};
