// The authorization request state machine (STYLE habit 8), persisted in `authorization_requests`:
//
//   GET /oauth/authorize ──valid──▶ PENDING ──(user opens /consent/:id: bound to that user)
//                                     │    ◀──(that user: "Not you? Switch account": unbound again,
//                                     │         lib/consent/release-authorization-request.ts)
//                    ┌────────────────┼─────────────────────┐
//            Allow (or remembered)  Deny                 10 minutes pass
//                    ▼                ▼                     ▼
//                APPROVED          DENIED            (expired: unusable)
//          code issued (60 s)   access_denied
//                    │
//       POST /oauth/token ──first use──▶ codeUsedAt set (tokens issued)
//                         ──second use─▶ invalid_grant, every token from it revoked
//
// Every transition is a compare-and-swap on the current status (and on codeUsedAt), so a request
// is decided once and a code is exchanged once, whatever races.
export const AUTHORIZATION_REQUEST_TTL_SECONDS = 600;
export const AUTHORIZATION_CODE_TTL_SECONDS = 60;
/** Absolute lifetime of a refresh token family (PRODUCT.md: at most 30 days). */
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
