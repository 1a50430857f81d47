// Shapes of the account forms, shared by the pages (client) and the route handlers (server).
import { z } from 'zod';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'Email is too long')
  .pipe(z.email('Enter a valid email address'));

export const signUpSchema = z.object({
  name: z
    .string()
    .trim()
    .max(100, 'Name is too long')
    .optional()
    .transform((v) => (v ? v : undefined)),
  email: emailSchema,
  password: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters`),
});

export type SignUpInput = z.input<typeof signUpSchema>;
