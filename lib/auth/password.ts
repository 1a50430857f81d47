// Password hashing with argon2id (DECISIONS 7), OWASP's recommended minimum parameters:
// 19 MiB of memory, 2 iterations, 1 lane.
import 'server-only';
import { hash, verify } from '@node-rs/argon2';

const PARAMS = { algorithm: 2 /* Algorithm.Argon2id (a const enum) */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

// Verified when the account does not exist, so that a wrong email costs as much time as a wrong
// password and response timing does not reveal which accounts exist.
let decoy: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    decoy ??= hashPassword('leash-decoy-password-for-timing');
    await verify(await decoy, password);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
