// A token's last use (time and address), for the Tokens and Agents screens. Written behind the
// request rather than in it (issue 7): every call used to update its token row, which cost a
// write and a live notification per call. Uses are collected per instance and written together
// once a second, the newest use per token winning; the dashboard's live channel hears of each
// token once per flush. A crash loses at most the last second of "last used" (never audit rows).
import 'server-only';
import { dbPool } from '@/lib/db/client';
import { log } from '@/lib/log/logger';

const FLUSH_MS = 1000;

type Use = { at: Date; ip: string };
type State = { pending: Map<string, Use>; timer: NodeJS.Timeout | null };

const holder = globalThis as typeof globalThis & { leashTokenUses?: State };

function state(): State {
  holder.leashTokenUses ??= { pending: new Map(), timer: null };
  return holder.leashTokenUses;
}

export function noteTokenUse(tokenId: string, ip: string): void {
  const s = state();
  s.pending.set(tokenId, { at: new Date(), ip });
  s.timer ??= setTimeout(() => void flushTokenUses(), FLUSH_MS).unref();
}

/** Writes the collected uses now (also called by tests that read `last_used_at`). */
export async function flushTokenUses(): Promise<void> {
  const s = state();
  s.timer = null;
  if (!s.pending.size) return;
  const uses = [...s.pending];
  s.pending.clear();
  try {
    await dbPool().query(
      `UPDATE tokens AS t SET last_used_at = u.at, last_used_ip = u.ip
         FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS u(id, at, ip)
        WHERE t.id = u.id AND (t.last_used_at IS NULL OR t.last_used_at < u.at)`,
      [uses.map(([id]) => id), uses.map(([, u]) => u.at), uses.map(([, u]) => u.ip)],
    );
  } catch (error) {
    log('tokens').error({ err: error }, 'could not record last use');
  }
}
