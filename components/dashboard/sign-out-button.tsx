'use client';

import { useState } from 'react';
import { signOut } from 'next-auth/react';
import { SignOutIcon } from '@/components/icons';
import { useHydrated } from '@/components/ui/use-hydrated';

export function SignOutButton({ compact = false }: { compact?: boolean }) {
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  return (
    <button
      type="button"
      disabled={!hydrated || pending}
      onClick={async () => {
        setPending(true);
        // next-auth posts to /api/auth/signout with its CSRF token and clears the session cookie.
        await signOut({ redirect: false });
        // A full page load on purpose, not router.push: no client state of the signed-out session survives.
        // eslint-disable-next-line @next/next/no-location-assign-relative-destination
        window.location.assign('/sign-in');
      }}
      className={`inline-flex items-center gap-2 rounded-lg text-sm font-medium text-muted transition-colors hover:bg-subtle hover:text-fg disabled:opacity-60 ${
        compact ? 'h-9 px-2.5' : 'w-full px-3 py-2'
      }`}
    >
      <SignOutIcon className="h-[18px] w-[18px]" />
      Sign out
    </button>
  );
}
