// Whether an error means "the database cannot serve this request right now", as opposed to a bug:
// refused or dropped connections, a server shutting down, a pool that could not connect in time, a
// database that has become read-only (a failover to a replica), a statement cancelled by
// `statement_timeout` or a lock not obtained within `lock_timeout` (lib/db/client.ts). Such requests
// fail closed with 503 and Retry-After instead of a bare 500: nothing was changed, retrying later
// is the remedy. (Everywhere the code answers 503 asks this one function.)
const CODES = new Set([
  // Node's sockets
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  // PostgreSQL SQLSTATEs (Appendix A): class 08 connection exceptions;
  '08000',
  '08001',
  '08003',
  '08006',
  // 25006 read_only_sql_transaction (a standby, or default_transaction_read_only after a failover);
  '25006',
  // 25P03 idle_in_transaction_session_timeout;
  '25P03',
  // 53xxx insufficient resources: disk full, out of memory, too many connections;
  '53000',
  '53100',
  '53200',
  '53300',
  // 55P03 lock_not_available (lock_timeout);
  '55P03',
  // 57014 query_canceled (statement_timeout); 57P01 admin_shutdown (also pg_terminate_backend),
  // 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, or a hot standby not yet ready).
  '57014',
  '57P01',
  '57P02',
  '57P03',
  // Prisma: cannot reach / timed out / closed (P1xxx), and no connection from the pool in time (P2024).
  'P1001',
  'P1002',
  'P1017',
  'P2024',
]);
const MESSAGES = new RegExp(
  [
    'connection terminated',
    'connection refused',
    'timeout exceeded when trying to connect',
    'terminating connection',
    'the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)',
    "can't reach database server",
    'server closed the connection',
    'Connection is closed',
    // pg: a pooled client used again after its connection failed (ended by the server meanwhile).
    '(has encountered a connection error|was closed) and is not queryable',
    'in a read-only transaction',
    'canceling statement due to (statement|lock) timeout',
    'could not obtain lock',
    // Prisma's interactive transactions (P2028): no connection to start one within maxWait (the
    // pool is busy with a slow database), or its time ran out while a slow statement was running.
    // (Not "already closed: ... committed transaction", which is a bug.)
    'Unable to start a transaction in the given time',
    'on an expired transaction',
  ].join('|'),
  'i',
);

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  // Prisma's driver adapter keeps PostgreSQL's SQLSTATE as `originalCode` (and a kind of its own).
  const e = error as { code?: unknown; originalCode?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
  if (typeof e.code === 'string' && CODES.has(e.code)) return true;
  if (typeof e.originalCode === 'string' && CODES.has(e.originalCode)) return true;
  if (e.kind === 'DatabaseNotReachable' || e.kind === 'ConnectionClosed' || e.kind === 'SocketTimeout' || e.kind === 'TooManyConnections') return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1) || isDatabaseUnavailable(e.meta?.driverAdapterError, depth + 1);
}
