'use client';

import { useState } from 'react';
import Link from 'next/link';
import { signIn } from 'next-auth/react';
import { Button, Spinner } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { Alert } from '@/components/ui/alert';
import { useHydrated } from '@/components/ui/use-hydrated';
import { PASSWORD_MIN_LENGTH } from '@/lib/auth/account-schemas';

type FieldErrors = Partial<Record<'name' | 'email' | 'password', string>>;

export function SignUpForm() {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      name: String(form.get('name') ?? ''),
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
    };
    setPending(true);
    setErrors({});
    setFormError(null);
    try {
      const response = await fetch('/api/account/sign-up', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status === 201) {
        const result = await signIn('credentials', { email: body.email, password: body.password, redirect: false });
        window.location.assign(result?.ok && !result.error ? '/agents' : '/sign-in');
        return;
      }
      const data = (await response.json().catch(() => ({}))) as {
        message?: string;
        field_errors?: Record<string, string[]>;
      };
      const fieldErrors: FieldErrors = {};
      for (const [field, messages] of Object.entries(data.field_errors ?? {})) {
        if (field === 'name' || field === 'email' || field === 'password') fieldErrors[field] = messages[0];
      }
      setErrors(fieldErrors);
      setFormError(data.message ?? 'Could not create the account. Please try again.');
    } catch {
      setFormError('Leash could not be reached. Check your connection and try again.');
    }
    setPending(false);
  }

  return (
    <form onSubmit={onSubmit} method="post" className="space-y-5" noValidate>
      {formError ? <Alert tone="danger">{formError}</Alert> : null}
      <TextField id="name" name="name" label="Name (optional)" autoComplete="name" error={errors.name} />
      <TextField id="email" name="email" type="email" label="Email" autoComplete="username" required error={errors.email} />
      <TextField
        id="password"
        name="password"
        type="password"
        label="Password"
        autoComplete="new-password"
        required
        minLength={PASSWORD_MIN_LENGTH}
        hint={`At least ${PASSWORD_MIN_LENGTH} characters. A passphrase of a few words works well.`}
        error={errors.password}
      />
      <Button type="submit" className="w-full" disabled={!hydrated || pending}>
        {pending ? <Spinner /> : null}
        Create account
      </Button>
      <p className="text-center text-sm text-muted">
        Already have an account?{' '}
        <Link href="/sign-in" className="font-medium text-accent hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
