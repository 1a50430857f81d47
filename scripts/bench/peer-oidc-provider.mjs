// The benchmark's peer: node-oidc-provider with the minimal configuration the issue names (one
// client, client_credentials, opaque tokens, introspection; DPoP on, as by default), on
// 127.0.0.1:<port>, in one of two modes (issue 16 §3):
//   node --import tsx peer-oidc-provider.mjs <port> <secret>                 its in-memory adapter: the ceiling
//   node --import tsx peer-oidc-provider.mjs <port> <secret> <postgres-url>  a durable PostgreSQL adapter
//     (oidc-postgres-adapter.ts, one table in its own schema, created here): the fair peer, storing
//     what a production deployment must store, in the same PostgreSQL as Leash.
import Provider from 'oidc-provider';
import pg from 'pg';

const [port, secret, databaseUrl] = [Number(process.argv[2]), process.argv[3], process.argv[4]];

async function adapter() {
  if (!databaseUrl) return undefined; // oidc-provider's own in-memory adapter
  const { createPeerSchema, postgresAdapter } = await import('./oidc-postgres-adapter.ts');
  // The same pool size as Leash's (lib/db/client.ts).
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  await createPeerSchema(pool);
  return postgresAdapter(pool);
}

const provider = new Provider(`http://127.0.0.1:${port}`, {
  adapter: await adapter(),
  clients: [
    {
      client_id: 'bench',
      client_secret: secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api:read',
    },
  ],
  scopes: ['api:read'],
  features: { clientCredentials: { enabled: true }, introspection: { enabled: true }, devInteractions: { enabled: false } },
});
provider.listen(port, '127.0.0.1', () => process.send?.({ ready: true }));
