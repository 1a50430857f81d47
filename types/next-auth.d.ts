// The session and JWT carry the authentication context the authorization server needs later:
// `acr`, `amr` and `auth_time` (OpenID Connect Core §2, RFC 9470), plus the user's role.
import 'next-auth';
import 'next-auth/jwt';

declare module 'next-auth' {
  interface Session {
    user: { id: string; email: string; name: string | null; role: 'USER' | 'ADMIN' };
    /** The server-side session (UserSession) id; not a credential by itself. */
    sessionId: string;
    acr: string;
    amr: string[];
    /** Seconds since the epoch when the user last authenticated. */
    authTime: number;
  }
  interface User {
    id: string;
    /** The server-side session created for this sign-in (UserSession). */
    sessionId: string;
    authTime: Date;
    email: string;
    name: string | null;
    role: 'USER' | 'ADMIN';
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    /** UserSession id: checked on every read, so sign-out ends the session server-side. */
    sid?: string;
    role?: 'USER' | 'ADMIN';
    acr?: string;
    amr?: string[];
    auth_time?: number;
  }
}
