// Error codes the sign-in endpoint hands to the sign-in page, and what the page says for each.
// One generic message for every credential failure (no hint which part was wrong).
export const SIGN_IN_ERROR = {
  rateLimited: 'RateLimited',
  suspended: 'AccountSuspended',
  unavailable: 'ServiceUnavailable',
} as const;

export const GENERIC_SIGN_IN_MESSAGE = 'Incorrect email or password.';

export function describeSignInError(error: string | null | undefined): string | null {
  if (!error) return null;
  if (error.startsWith(`${SIGN_IN_ERROR.rateLimited}:`)) {
    const seconds = Number(error.split(':')[1]) || 60;
    const minutes = Math.ceil(seconds / 60);
    return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  }
  if (error === SIGN_IN_ERROR.suspended) return 'This account is suspended. Contact your administrator.';
  if (error === SIGN_IN_ERROR.unavailable) return 'Leash cannot sign you in right now. Please try again shortly.';
  if (error === 'SessionRequired') return 'Sign in to continue.';
  if (error === 'CredentialsSignin') return GENERIC_SIGN_IN_MESSAGE;
  return 'Sign-in failed. Please try again.';
}
