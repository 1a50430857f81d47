// Whether an error means "the database cannot be reached right now" (refused or dropped
// connections, a server shutting down, a pool that could not connect in time), as opposed to a bug.
// Such requests fail closed with 503 and Retry-After instead of a bare 500.
const CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', 'P1001', 'P1002', 'P1017', 'P2024']);
const MESSAGES =
  /connection terminated|connection refused|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down)|can't reach database server|server closed the connection/i;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
  if (typeof e.code === 'string' && CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1) || isDatabaseUnavailable(e.meta?.driverAdapterError, depth + 1);
}
