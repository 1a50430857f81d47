'use client';

import { useState } from 'react';
import Link from 'next/link';
import { signIn } from 'next-auth/react';
import { Button, Spinner } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { Alert } from '@/components/ui/alert';
import { useHydrated } from '@/components/ui/use-hydrated';
import { describeSignInError } from '@/lib/auth/sign-in-errors';
import { safeCallbackPath } from '@/components/auth/safe-callback';

export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string | null; initialError: string | null }) {
  const [error, setError] = useState<string | null>(describeSignInError(initialError));
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const destination = safeCallbackPath(callbackUrl);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await signIn('credentials', {
        email: String(form.get('email') ?? ''),
        password: String(form.get('password') ?? ''),
        redirect: false,
      });
      if (result?.ok && !result.error) {
        // A full navigation, so the dashboard renders with the new session cookie.
        window.location.assign(destination);
        return;
      }
      setError(describeSignInError(result?.error ?? 'CredentialsSignin'));
    } catch {
      setError(describeSignInError('ServiceUnavailable'));
    }
    setPending(false);
  }

  return (
    <form onSubmit={onSubmit} method="post" className="space-y-5" noValidate>
      {error ? <Alert tone="danger">{error}</Alert> : null}
      <TextField id="email" name="email" type="email" label="Email" autoComplete="username" required autoFocus />
      <TextField id="password" name="password" type="password" label="Password" autoComplete="current-password" required />
      <p className="-mt-3 text-right text-sm">
        <Link href="/forgot-password" className="text-accent hover:underline">
          Forgot your password?
        </Link>
      </p>
      <Button type="submit" className="w-full" disabled={!hydrated || pending}>
        {pending ? <Spinner /> : null}
        Sign in
      </Button>
      <p className="text-center text-sm text-muted">
        New to Leash?{' '}
        <Link href="/sign-up" className="font-medium text-accent hover:underline">
          Create an account
        </Link>
      </p>
    </form>
  );
}
