// The limits of an agent's API key (docs/api-keys.md), shared by the server's checks and the
// dashboard's form. Pure: client components import it.

/** A key expires at most this many days after it is made (issue 15 §4: a mandatory expiry). */
export const API_KEY_MAX_DAYS = 90;
/** The expiry the dashboard proposes. */
export const API_KEY_DEFAULT_DAYS = 30;
/** Live (unrevoked, unexpired) keys one person may hold for one agent. */
export const API_KEY_MAX_LIVE = 10;
/** The longest label. */
export const API_KEY_MAX_NAME = 80;

/** The RFC 8693 `subject_token_type` of an API key at the token endpoint (a URI of Leash's, RFC 8693 §3). */
export const API_KEY_TOKEN_TYPE = 'urn:leash:params:oauth:token-type:api-key';
