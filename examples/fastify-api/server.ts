// An example of your own API, protected by Leash with @leash/fastify: orders (list, read, create
// with an amount, cancel) in PostgreSQL. Agents call it with tokens Leash issued for it
// (`resource=<LEASH_RESOURCE>`); every route names its scope and its action, and Leash's policy
// decides each call (OpenID AuthZEN), with the amount as context. The e2e suite starts it as a
// process (e2e/browser/fastify-api.spec.ts).
//
//   PORT=4000 LEASH_ISSUER=http://localhost:3000 LEASH_RESOURCE=http://127.0.0.1:4000 \
//   LEASH_CLIENT_ID=rs_… LEASH_CLIENT_SECRET=… DATABASE_URL=postgres://… \
//   node --import tsx examples/fastify-api/server.ts
//
// Register the API in Leash first (Settings → Protected APIs, or POST /api/admin/resources) with the
// scopes `orders:read` and `orders:write` and the actions below (FASTIFY_API_AREA renames `orders`
// in both, so that several copies can be registered in one Leash); its client id and secret go in
// LEASH_CLIENT_ID / LEASH_CLIENT_SECRET. LEASH_SSF=1 also registers a Shared Signals stream, so a
// revocation reaches the API at once (otherwise within LEASH_CACHE_SECONDS, default 30).
// It prints `LISTENING <url>` once it accepts requests.
import Fastify from 'fastify';
import leash from '@leash/fastify';
import { createOrderStore } from './orders';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};
const port = Number(env('PORT', '4000'));
const resource = env('LEASH_RESOURCE', `http://127.0.0.1:${port}`);
// Scope and action names: `orders:read`, `orders.list`... (scopes are unique across a Leash's APIs).
const area = env('FASTIFY_API_AREA', 'orders');
const read = `${area}:read`;
const write = `${area}:write`;
const store = createOrderStore(env('DATABASE_URL'), env('FASTIFY_API_SCHEMA', 'fastify_api'));

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' } });

// The three lines: the plugin, its options, and `config.leash` on each route below.
await app.register(leash, {
  issuer: env('LEASH_ISSUER'),
  resource,
  clientId: env('LEASH_CLIENT_ID'),
  clientSecret: env('LEASH_CLIENT_SECRET'),
  scopes: [read, write],
  resourceName: 'Orders (example Fastify API)',
  introspectionCacheSeconds: Number(env('LEASH_CACHE_SECONDS', '30')),
  ...(process.env.LEASH_SSF === '1' ? { sharedSignals: { path: '/leash/events', endpointUrl: `${resource.replace(/\/$/, '')}/leash/events`, description: 'Orders example API' } } : {}),
});

type OrderParams = { id: string };
type NewOrder = { description: string; amount: string; currency: string };
const owner = (leashAuth: { userId?: string; clientId?: string } | null) => leashAuth?.userId ?? `agent:${leashAuth?.clientId}`;
const orderId = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] } as const;

app.get('/orders', { config: { leash: { scopes: [read], action: `${area}.list`, resource: { type: 'order', id: '*' } } } }, async (request) => ({
  orders: await store.list(owner(request.leash)),
}));

// Every order at once, for a spreadsheet: a person may want a second factor for that (step-up).
app.get('/orders/export', { config: { leash: { scopes: [read], action: `${area}.export`, resource: { type: 'order', id: '*' } } } }, async (request) => {
  const orders = await store.list(owner(request.leash));
  return { columns: ['id', 'description', 'amount', 'currency', 'status'], rows: orders.map((o) => [o.id, o.description, o.amount, o.currency, o.status]) };
});

app.get<{ Params: OrderParams }>(
  '/orders/:id',
  { schema: { params: orderId }, config: { leash: { scopes: [read], action: `${area}.read`, resource: (request) => ({ type: 'order', id: (request.params as OrderParams).id }) } } },
  async (request, reply) => {
    const order = await store.find(owner(request.leash), request.params.id);
    return order ? { order } : reply.code(404).send({ error: 'not_found', error_description: 'No such order.' });
  },
);

app.post<{ Body: NewOrder }>(
  '/orders',
  {
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['description', 'amount', 'currency'],
        properties: {
          description: { type: 'string', minLength: 1, maxLength: 200 },
          amount: { type: 'string', pattern: '^[0-9]{1,9}(\\.[0-9]{1,2})?$' },
          currency: { type: 'string', pattern: '^[A-Z]{3}$' },
        },
      },
    },
    // The policy sees the amount (AuthZEN context): "orders over 500 need my approval".
    config: {
      leash: {
        scopes: [write],
        action: `${area}.create`,
        resource: { type: 'order', id: '*' },
        context: (request) => {
          const body = request.body as NewOrder;
          return { amount: body.amount, currency: body.currency };
        },
      },
    },
  },
  async (request, reply) => {
    const order = await store.create(owner(request.leash), { ...request.body, agent: request.leash!.clientId ?? 'unknown', intent: request.leash!.intent ?? null });
    return reply.code(201).send({ order });
  },
);

app.delete<{ Params: OrderParams }>(
  '/orders/:id',
  { schema: { params: orderId }, config: { leash: { scopes: [write], action: `${area}.cancel`, resource: (request) => ({ type: 'order', id: (request.params as OrderParams).id }) } } },
  async (request, reply) => {
    const order = await store.cancel(owner(request.leash), request.params.id);
    return order ? { order } : reply.code(404).send({ error: 'not_found', error_description: 'No such order.' });
  },
);

app.get('/health', async () => ({ status: 'ok' }));

await store.migrate();
const address = await app.listen({ port, host: process.env.HOST ?? '127.0.0.1' });
console.log(`LISTENING ${address}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app.close().then(() => store.close());
  });
}
