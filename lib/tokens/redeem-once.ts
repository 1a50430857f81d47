// Redeeming a single-use credential (issue 13; fosite's handleRefreshTokenReuse): authorization
// codes, refresh tokens, device codes, pushed request_uris and CIBA auth_req_ids are each spent by
// one compare-and-swap ("where not yet used"), so of two concurrent redemptions exactly one wins.
// The grants keep only their own rules; this owns the order of claim, issue, burn and replay:
// - The claim runs either `first`, on its own before anything else (the credential is spent
//   whatever follows, and a failure after it is just that failure), or `with-issue`, as the first
//   statement of the transaction that issues: its row lock is then held until the tokens commit,
//   so a concurrent redemption's claim waits, then fails, and its replay handling finds the tokens
//   to revoke (had the claim committed first, tokens issued after that revocation would survive it).
// - `burnOnFailure` (with-issue): a failed attempt spends the credential too (single use); if
//   another redemption had it first, this one is a replay like any other. Not when the database
//   failed (dropped connection, timeout, read-only): the transaction rolled back, nothing was issued,
//   and the client is told 503 "try again" (RFC 9110 §15.6.4), so its retry must find the credential
//   as it was. Spending it then would turn the retry into a replay and revoke the family.
// - A lost claim is a replay: `onReplay` decides what it revokes and what it answers.
import 'server-only';
import { db } from '@/lib/db/client';
import { isDatabaseUnavailable } from '@/lib/db/is-database-unavailable';
import type { Prisma } from '@/lib/generated/prisma/client';

/** Another request claimed what this one was about to redeem: nothing was issued. */
export class ClaimLost extends Error {
  constructor() {
    super('claimed by another request');
  }
}

/** Runs the claim in the issuing transaction: throws `ClaimLost` (rolling it back) when it is lost. */
export type ClaimIn = (tx: Prisma.TransactionClient) => Promise<void>;

export async function redeemOnce<T>(options: {
  /** The compare-and-swap that spends the credential: true when this request won it. */
  claim: (q: Prisma.TransactionClient) => Promise<boolean>;
  when: 'first' | 'with-issue';
  burnOnFailure?: boolean;
  /** Validates and issues. With `with-issue`, its transaction must call `claimIn(tx)` first. */
  redeem: (claimIn: ClaimIn) => Promise<T>;
  /** The claim was lost to another redemption (usually revokes, then throws). */
  onReplay: () => Promise<T>;
}): Promise<T> {
  if (options.when === 'first') {
    if (!(await options.claim(db()))) return options.onReplay();
    return options.redeem(async () => {});
  }
  let claimed = false;
  const claimIn: ClaimIn = async (tx) => {
    if (!(await options.claim(tx))) throw new ClaimLost();
    claimed = true;
  };
  try {
    const result = await options.redeem(claimIn);
    // A redemption that never claimed would let the credential be used again: a programming error.
    if (!claimed) throw new Error('redeemOnce: issued without claiming the credential');
    return result;
  } catch (error) {
    if (error instanceof ClaimLost) return options.onReplay();
    if (options.burnOnFailure && !isDatabaseUnavailable(error)) {
      const burnt = await options.claim(db()).catch(() => null);
      if (burnt === false) return options.onReplay();
    }
    throw error;
  }
}
