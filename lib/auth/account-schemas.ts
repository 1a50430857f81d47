// Shapes of the account forms, shared by the pages (client) and the route handlers (server).
import { z } from 'zod';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export const emailSchema = z.string().trim().toLowerCase().max(254, 'Email is too long').pipe(z.email('Enter a valid email address'));

/** The strength rule for every new password: sign-up, change and reset alike. */
export const newPasswordSchema = z.string().min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters`);

export const signUpSchema = z.object({
  name: z
    .string()
    .trim()
    .max(100, 'Name is too long')
    .optional()
    .transform((v) => (v ? v : undefined)),
  email: emailSchema,
  password: newPasswordSchema,
});

export type SignUpInput = z.input<typeof signUpSchema>;

/** A password typed to prove who you are (not checked for strength: it is the one you have). */
const currentPasswordSchema = z.string().min(1, 'Enter your current password').max(1024, 'Enter your current password');

export const changePasswordSchema = z.object({
  current_password: currentPasswordSchema,
  new_password: newPasswordSchema,
});

/** A reset link's secret, as it appears after `#` in the link an administrator hands over. */
export const passwordResetTokenSchema = z.string().trim().min(10).max(200);

export const resetPasswordSchema = z.object({
  token: passwordResetTokenSchema,
  new_password: newPasswordSchema,
});

/** What a person types to confirm deleting their account (besides their password). */
export const DELETE_ACCOUNT_CONFIRMATION = 'delete my account';

export const deleteAccountSchema = z.object({
  password: currentPasswordSchema,
  confirm: z.literal(DELETE_ACCOUNT_CONFIRMATION, `Type "${DELETE_ACCOUNT_CONFIRMATION}" to confirm`),
});

/** Per-field messages of a failed parse, keyed by the field's wire name. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) (errors[String(issue.path[0] ?? 'form')] ??= []).push(issue.message);
  return errors;
}
