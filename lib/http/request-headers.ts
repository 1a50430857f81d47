// Request headers Leash sets itself for its own later stages; any client-sent value is overwritten.
/** The path and query the visitor asked for (set by proxy.ts), for sign-in redirects. */
export const PATH_HEADER = 'x-leash-path';
