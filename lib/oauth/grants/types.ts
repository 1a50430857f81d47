import 'server-only';
import type { AuthenticatedClient } from '@/lib/oauth/clients/authenticate-client';
import type { OAuthParams } from '@/lib/oauth/read-form';
import type { DpopProof } from '@/lib/oauth/dpop/verify-dpop-proof';
import { formatScope } from '@/lib/scopes/scopes';

export type TokenResponse = {
  access_token: string;
  /** RFC 9449 §5: `DPoP` when the access token is bound to the proof's key. */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  /** RFC 8693 §2.2.1 (token exchange responses). */
  issued_token_type?: string;
  /** RFC 9396 §7: the details the token carries. */
  authorization_details?: unknown;
};

/**
 * The token response (RFC 6749 §5.1) for an issued access token: `DPoP` when it is bound to a key
 * (RFC 9449 §5), the refresh token when one was issued, and the RFC 9396 §7 details it carries.
 */
export function tokenResponse(
  access: { token: string; expiresIn: number },
  options: { bound: boolean; scopes: string[]; refresh?: { token: string } | null; details?: unknown; issuedTokenType?: string },
): TokenResponse {
  return {
    access_token: access.token,
    ...(options.issuedTokenType ? { issued_token_type: options.issuedTokenType } : {}),
    token_type: options.bound ? 'DPoP' : 'Bearer',
    expires_in: access.expiresIn,
    scope: formatScope(options.scopes),
    ...(options.refresh ? { refresh_token: options.refresh.token } : {}),
    ...(options.details ? { authorization_details: options.details } : {}),
  };
}

/** `dpop`: a verified DPoP proof sent with the request (RFC 9449 §5), or null. */
export type GrantContext = { client: AuthenticatedClient; params: OAuthParams; ip: string; dpop: DpopProof | null };

/** One grant type (STYLE habit 2): found by `grant_type`; adding one never edits the endpoint. */
export type Grant = {
  grantType: string;
  /**
   * Whether the client must have registered this grant type (RFC 7591 `grant_types`) for this
   * request, else unauthorized_client; by default always.
   */
  registrationRequired?: (params: OAuthParams) => boolean;
  handle: (context: GrantContext) => Promise<TokenResponse>;
};
