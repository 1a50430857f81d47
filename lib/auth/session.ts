// The signed-in user, read where data is read (STYLE habit 10): every dashboard page and route
// calls `requireUser()`, which checks the session cookie *and* that the account still exists and
// is active in the database; `proxy.ts` only makes the redirect faster.
import 'server-only';
import { cache } from 'react';
import { getServerSession } from 'next-auth';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { PATH_HEADER } from '@/lib/http/request-headers';
import { authOptions } from '@/lib/auth/auth-options';
import { findActiveSession } from '@/lib/auth/find-active-session';

export type CurrentUser = {
  id: string;
  email: string;
  name: string | null;
  role: 'USER' | 'ADMIN';
  timeZone: string;
  intentStorage: 'OFF' | 'HASHED' | 'FULL';
  intentRetentionDays: number;
  createdAt: Date;
  /** The server-side session this request is signed in with. */
  sessionId: string;
  acr: string;
  amr: string[];
  authTime: Date;
};

/** The current user, or null when signed out (or the account is gone or suspended). Once per request. */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await getServerSession(authOptions());
  if (!session?.user?.id || !session.sessionId) return null;
  const active = await findActiveSession({ id: session.sessionId, userId: session.user.id });
  if (!active) return null;
  return { ...active.user, sessionId: session.sessionId, acr: active.acr, amr: active.amr, authTime: active.authTime };
});

/**
 * For pages: the current user, or a redirect to the sign-in page that comes back to the page asked
 * for (proxy.ts passes its path in `x-leash-path`, so the layout and the page agree on it).
 */
export async function requireUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) {
    const returnTo = (await headers()).get(PATH_HEADER) ?? '/agents';
    redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  }
  return user;
}
