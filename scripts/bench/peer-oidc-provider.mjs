// The benchmark's peer: node-oidc-provider with the minimal configuration the issue names (one
// client, client_credentials, opaque tokens, its in-memory adapter), on 127.0.0.1:<port>.
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const secret = process.argv[3];
const provider = new Provider(`http://127.0.0.1:${port}`, {
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
