// GET|POST /api/auth/*: next-auth's endpoints (csrf, session, credentials callback, sign-out).
import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth/auth-options';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built on first request (they need the runtime configuration, not the build's).
function handler(request: Request, context: Context) {
  return NextAuth(authOptions())(request, context);
}

export { handler as GET, handler as POST };
