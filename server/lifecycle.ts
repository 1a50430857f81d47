// Graceful shutdown (issue 19 §2). On SIGTERM or SIGINT (or the launcher going away):
//   1. readiness answers 503 (lib/ops/lifecycle.ts), so load balancers stop sending; with
//      LEASH_SHUTDOWN_DELAY_MS the listener keeps accepting that long first, for balancers that
//      only notice at their next probe (Kubernetes: about periodSeconds × failureThreshold);
//   2. the listener stops accepting, idle keep-alive connections close, open live streams end
//      (browsers reconnect elsewhere), and answered connections are not kept alive;
//   3. in-flight requests finish, within LEASH_SHUTDOWN_TIMEOUT_MS (10 s); past it the remaining
//      connections are cut;
//   4. the group-commit queues are empty (each answered request already waited for its audit row
//      to commit, so this only lets unanswered writes settle), the audit chain is sealed once,
//      the LISTEN connections and the pool close, the logs are flushed;
//   5. the process exits 0, or 1 if step 3's deadline was hit or a step failed.
// A second signal forces the exit at once (1), as does a hard deadline a few seconds after step
// 3's. The launcher (`npm start`) stops the embedded PostgreSQL after this process has exited.
import { log, flushLogs } from '../lib/log/logger';
import { setPhase, isDraining } from '../lib/ops/lifecycle';
import { allowServerOnlyModules } from './server-only';
import type { RunningServer } from './serve';

const DEFAULT_TIMEOUT_MS = 10_000;
/** What steps 4 and 5 may take beyond the drain deadline before the exit is forced. */
const CLOSE_MARGIN_MS = 5_000;

function milliseconds(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

export function handleShutdownSignals(server: RunningServer): void {
  const logger = log('lifecycle');
  const begin = (reason: string) => {
    if (isDraining()) {
      logger.warn({ reason }, 'second signal: exiting now');
      flushLogs();
      process.exit(1);
    }
    void shutDown(server, reason).then(
      (clean) => {
        flushLogs();
        process.exit(clean ? 0 : 1);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        flushLogs();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => begin('SIGTERM'));
  process.on('SIGINT', () => begin('SIGINT'));
  // Started by the launcher (`npm start`): if it goes away without a signal, so do we.
  if (process.send) process.on('disconnect', () => begin('launcher gone'));
}

async function shutDown(server: RunningServer, reason: string): Promise<boolean> {
  const logger = log('lifecycle');
  const timeoutMs = milliseconds('LEASH_SHUTDOWN_TIMEOUT_MS', DEFAULT_TIMEOUT_MS);
  const delayMs = milliseconds('LEASH_SHUTDOWN_DELAY_MS', 0);
  setPhase('draining');
  logger.info({ reason, in_flight: server.inFlight(), delay_ms: delayMs, timeout_ms: timeoutMs }, 'shutting down: readiness is now 503');
  const hardStop = setTimeout(
    () => {
      logger.error('shutdown did not finish in time: exiting now');
      flushLogs();
      process.exit(1);
    },
    delayMs + timeoutMs + CLOSE_MARGIN_MS,
  );
  hardStop.unref();

  if (delayMs) await sleep(delayMs);
  allowServerOnlyModules();
  const { closeLiveChannel } = await import('../lib/live/live-channel');
  const closed = server.stopAccepting();
  await closeLiveChannel();

  const deadline = Date.now() + timeoutMs;
  while (server.inFlight() > 0 && Date.now() < deadline) await sleep(20);
  let clean = true;
  if (server.inFlight() > 0) {
    clean = false;
    logger.warn({ in_flight: server.inFlight() }, 'drain deadline passed: cutting the remaining connections');
    server.closeAllConnections();
  }
  await Promise.race([closed, sleep(1_000)]);

  const { groupCommitsSettled } = await import('../lib/db/group-commit');
  if (!(await groupCommitsSettled(Math.max(deadline - Date.now(), 1_000)))) {
    clean = false;
    logger.error('group-commit queues did not empty in time');
  }
  // What this instance appended is linked already; a last checkpoint signs its chains' heads now.
  const { writeCheckpoint } = await import('../lib/audit/audit-checkpoint');
  await writeCheckpoint().catch((error: unknown) => logger.warn({ err: error }, 'could not write the last audit checkpoint (the next instance will)'));
  const { stopHotCache } = await import('../lib/cache/hot-cache');
  const { stopSsfWorker } = await import('../lib/ssf/delivery-worker');
  const { closeDb } = await import('../lib/db/client');
  // Pushes in flight finish (each within its 5 s deadline); the streams' leases are handed back.
  await stopSsfWorker();
  const { stopApprovalClock } = await import('../lib/notifications/approval-clock');
  await stopApprovalClock();
  const { stopDigestClock } = await import('../lib/notifications/digest-clock');
  await stopDigestClock();
  await stopHotCache();
  await closeDb().catch((error: unknown) => logger.warn({ err: error }, 'closing the database pool failed'));
  await server.closeMetrics().catch(() => {});
  setPhase('stopped');
  logger.info({ clean }, 'stopped');
  clearTimeout(hardStop);
  return clean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
