// `npm run serve`: only the server, against DATABASE_URL, with migrations already applied
// (`npm run db:migrate:deploy`). `npm start` runs this after preparing the database; several
// instances behind a load balancer run it directly. Runs without the `react-server` condition: the
// Next build carries the app, and the fast path loads lib/ with `server-only` resolved as Next does.
// Logs are JSON lines in production (lib/log/logger.ts); SIGTERM/SIGINT shut down gracefully
// (server/lifecycle.ts).
import './safe-output';
import { bridgeConsoleToLogger } from './console-bridge';
import { serve } from './serve';
import { handleShutdownSignals } from './lifecycle';
import { flushLogs, log } from '../lib/log/logger';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST || '0.0.0.0';
const dev = process.argv.includes('--dev');
(process.env as Record<string, string>).NODE_ENV = dev ? 'development' : 'production';
process.env.NEXT_TELEMETRY_DISABLED = '1';
bridgeConsoleToLogger();
const logger = log('server');

if (!Number.isInteger(port) || port < 1 || port > 65535) {
  logger.fatal(`PORT must be a number from 1 to 65535, got ${process.env.PORT}`);
  flushLogs();
  process.exit(1);
}
if (!process.env.DATABASE_URL) {
  logger.fatal('DATABASE_URL is required to serve (use `npm start` for the embedded database).');
  flushLogs();
  process.exit(1);
}

const server = await serve({ port, host, dev });
handleShutdownSignals(server);
process.send?.({ ready: server.url });
logger.info({ host, port }, `listening on ${host}:${port}`);
