// This instance's ear on PostgreSQL's `leash_live` channel (DECISIONS 8): one dedicated connection
// per process LISTENs, and each notification (a user's token or grant changed: see the migration
// live_notifications_and_grant_suspension) is handed to that user's subscribers, the dashboard's
// open event streams. Because the database announces changes when they commit, a revocation made
// on any instance reaches browsers connected to every instance. If the connection drops, it is
// re-opened and subscribers are told to resynchronise (they may have missed events).
import 'server-only';
import pg from 'pg';
import { getConfig } from '@/lib/config/config';
import { log } from '@/lib/log/logger';
import { noteListen } from '@/lib/metrics/metrics';

export type LiveEvent = { topic: 'tokens' | 'agents' | 'approvals' | 'alerts'; user_id: string; agent_id: string; id: string; op: 'insert' | 'update' } | { topic: 'resync' } | { topic: 'closing' };
type Listener = (event: LiveEvent) => void;

type Channel = { listeners: Map<string, Set<Listener>>; client: pg.Client | null; connecting: Promise<void> | null; retryMs: number; closed?: boolean };

const holder = globalThis as typeof globalThis & { leashLiveChannel?: Channel };

function channel(): Channel {
  holder.leashLiveChannel ??= { listeners: new Map(), client: null, connecting: null, retryMs: 500 };
  return holder.leashLiveChannel;
}

function broadcast(event: LiveEvent, userId?: string) {
  const { listeners } = channel();
  const targets = userId ? [listeners.get(userId) ?? new Set<Listener>()] : [...listeners.values()];
  for (const set of targets) for (const listener of set) listener(event);
}

async function connect(): Promise<void> {
  const state = channel();
  const client = new pg.Client({ connectionString: getConfig().databaseUrl, connectionTimeoutMillis: 3000 });
  const lost = () => {
    if (state.client !== client) return;
    state.client = null;
    noteListen('leash_live', 'lost');
    client.end().catch(() => {});
    if (state.listeners.size && !state.closed) setTimeout(() => void ensureListening().catch(() => {}), state.retryMs).unref();
    state.retryMs = Math.min(state.retryMs * 2, 10_000);
  };
  client.on('error', (error) => {
    log('live').error({ err: error }, 'connection lost');
    lost();
  });
  client.on('end', lost);
  client.on('notification', (message) => {
    try {
      const event = JSON.parse(message.payload ?? '') as LiveEvent;
      if (event.topic !== 'resync' && event.topic !== 'closing') broadcast(event, event.user_id);
    } catch {
      // Not ours: ignore.
    }
  });
  await client.connect();
  await client.query('LISTEN leash_live');
  const reconnected = state.retryMs > 500;
  state.client = client;
  noteListen('leash_live', reconnected ? 'reconnected' : 'connected');
  state.retryMs = 500;
  if (reconnected) broadcast({ topic: 'resync' });
}

function ensureListening(): Promise<void> {
  const state = channel();
  if (state.client) return Promise.resolve();
  state.connecting ??= connect().finally(() => {
    state.connecting = null;
  });
  return state.connecting;
}

/** Calls `listener` with every change to the user's tokens and grants; returns the unsubscribe. */
export async function subscribeLive(userId: string, listener: Listener): Promise<() => void> {
  const { listeners } = channel();
  let set = listeners.get(userId);
  if (!set) listeners.set(userId, (set = new Set()));
  set.add(listener);
  const unsubscribe = () => {
    set.delete(listener);
    if (!set.size) listeners.delete(userId);
  };
  try {
    await ensureListening();
  } catch (error) {
    unsubscribe();
    throw error;
  }
  return unsubscribe;
}

/**
 * Shutdown: tells every open stream to end (browsers reconnect, to another instance behind a load
 * balancer), then closes the LISTEN connection.
 */
export async function closeLiveChannel(): Promise<void> {
  const state = channel();
  state.closed = true;
  broadcast({ topic: 'closing' });
  const client = state.client;
  state.client = null;
  await client?.end().catch(() => {});
}
