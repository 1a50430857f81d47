// `npm run serve`: only the server, against DATABASE_URL, with migrations already applied
// (`npm run db:migrate:deploy`). `npm start` runs this after preparing the database; several
// instances behind a load balancer run it directly. Runs without the `react-server` condition: the
// Next build carries the app, and the fast path loads lib/ with `server-only` resolved as Next does.
import './safe-output';
import { serve } from './serve';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST || '0.0.0.0';
const dev = process.argv.includes('--dev');
(process.env as Record<string, string>).NODE_ENV = dev ? 'development' : 'production';
process.env.NEXT_TELEMETRY_DISABLED = '1';

if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`[leash] PORT must be a number from 1 to 65535, got ${process.env.PORT}`);
  process.exit(1);
}
if (!process.env.DATABASE_URL) {
  console.error('[leash] DATABASE_URL is required to serve (use `npm start` for the embedded database).');
  process.exit(1);
}

const server = await serve({ port, host, dev });
process.send?.({ ready: server.url });
if (!process.send) console.log(`[leash] listening on ${host}:${port}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void server.close().then(() => process.exit(0)));
}
