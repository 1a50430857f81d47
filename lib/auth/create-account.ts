// Creates a human account (sign-up and the demo seed). What else a new account starts with (the
// sample workspace) is the caller's to say, made in the same transaction: auth knows no workspace.
import 'server-only';
import { db } from '@/lib/db/client';
import { signUpSchema, type SignUpInput } from '@/lib/auth/account-schemas';
import { hashPassword } from '@/lib/auth/password';
import { Prisma } from '@/lib/generated/prisma/client';

export type CreateAccountResult = { ok: true; user: { id: string; email: string } } | { ok: false; reason: 'email_taken' } | { ok: false; reason: 'invalid'; fieldErrors: Record<string, string[]> };

export type SetUpAccount = (tx: Prisma.TransactionClient, userId: string) => Promise<void>;

export async function createAccount(input: SignUpInput, setUp?: SetUpAccount): Promise<CreateAccountResult> {
  const parsed = signUpSchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      (fieldErrors[field] ??= []).push(issue.message);
    }
    return { ok: false, reason: 'invalid', fieldErrors };
  }
  const { email, name, password } = parsed.data;
  const passwordHash = await hashPassword(password);
  try {
    const user = await db().$transaction(async (tx) => {
      const created = await tx.user.create({ data: { email, name, passwordHash }, select: { id: true, email: true } });
      await setUp?.(tx, created.id);
      return created;
    });
    return { ok: true, user };
  } catch (error) {
    // The unique index decides, so two concurrent sign-ups for one email cannot both succeed.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return { ok: false, reason: 'email_taken' };
    }
    throw error;
  }
}
