// RFC 9396 §6: a token request may name the authorization details the new token is to carry, and
// the server refuses what the underlying grant does not cover with `invalid_authorization_details`
// (as `invalid_scope` for scopes). §6.1 leaves "more or less" to each type; Leash compares its one
// type (payment_initiation) as a whole: a narrowed token keeps some of the subject's details exactly
// as they are, or all of them (nothing asked), never a changed one (a smaller amount to another
// creditor is not "less" of anything the user approved).
import 'server-only';
import { isDeepStrictEqual } from 'node:util';
import { authorizationDetailsSchema, type AuthorizationDetail } from '@/lib/oauth/authorization-details';
import { OAuthError } from '@/lib/oauth/errors';

/** The details the narrowed token carries (null: none), or `invalid_authorization_details`. */
export function narrowAuthorizationDetails(held: unknown, requested: string | undefined): AuthorizationDetail[] | null {
  const heldParsed = authorizationDetailsSchema.safeParse(held ?? []);
  const heldList = heldParsed.success ? heldParsed.data : [];
  if (requested === undefined) return heldList.length ? heldList : null;
  let json: unknown;
  try {
    json = JSON.parse(requested);
  } catch {
    throw new OAuthError('invalid_authorization_details', 'authorization_details is not valid JSON.');
  }
  const parsed = authorizationDetailsSchema.safeParse(json);
  if (!parsed.success) throw new OAuthError('invalid_authorization_details', 'authorization_details must be an array of payment_initiation objects (RFC 9396 §2).');
  if (parsed.data.some((detail) => !heldList.some((h) => isDeepStrictEqual(h, detail)))) {
    throw new OAuthError('invalid_authorization_details', 'The subject token does not carry these authorization details: a narrowed token may only keep some of them, unchanged.');
  }
  return parsed.data;
}
