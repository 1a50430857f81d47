// `leash`: sign a person's command line in to Leash with the device flow (RFC 8628), keep the
// session in the encrypted credential store (./credential-store.ts), and hand scripts short-lived
// DPoP-bound tokens (RFC 9449).
//   leash login [issuer] [--resource URL] [--scope "a b"] [--name NAME]
//   leash status
//   leash token [--resource URL] [--scope "a b"] [--dpop METHOD URL] [--json]
//   leash curl <url> [curl arguments]
//   leash logout
//   leash scan [path...] [--json]
//   leash mcp [--issuer URL] [--resource URL] [--url URL]      (./mcp-bridge.ts)
//   leash mcp-config <claude-code|cursor|vscode|claude-desktop> [--issuer URL] [--resource URL] [--url URL] [--name NAME]
import { spawn } from 'node:child_process';
import { connect, resume } from '../connect.js';
import { LeashError, SessionEndedError } from '../errors.js';
import type { LeashAgent, LeashSession } from '../agent.js';
import { CredentialStore } from './credential-store.js';
import { curlMethod } from './curl-method.js';
import { runScan, ScanPathError } from './scan.js';
import { isMcpClient, MCP_CLIENTS, mcpConfig, mcpConfigHint } from './mcp-config.js';

const USAGE = `usage: leash <command>
  login [issuer]   sign in with the device flow (default issuer: $LEASH_ISSUER or http://localhost:3000)
                   --resource URL (default <issuer>/api)  --scope "a b" (default "datasets:read reports:read")  --name NAME
  status           who is signed in, where, with which scopes
  token            print a fresh access token (DPoP-bound: send it with a proof, or use leash curl)
                   --scope "a b" / --resource URL: a narrower token (RFC 8693)  --dpop METHOD URL: a proof too  --json
  curl <url> ...   run curl with the Authorization and DPoP headers added
  logout           revoke the tokens at the server (RFC 7009) and delete the local credentials
  scan [path...]   find Leash credentials in files (checksum-verified); exit 1 when any are found  --json
  mcp              bridge a stdio MCP client to the MCP server over Streamable HTTP, holding the credentials itself
                   --issuer URL (default: the signed-in one)  --resource URL (default <issuer>/mcp)  --url URL (default: the resource)
  mcp-config <client>  print the config that runs \`npx leash mcp\` (no secret in it) for ${MCP_CLIENTS.join(', ')}
                   --issuer URL  --resource URL  --url URL  --name NAME (default leash)`;

type Flags = { positional: string[]; options: Map<string, string[]> };

function parseFlags(args: string[], known: Record<string, number>): Flags {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--') && arg.slice(2) in known) {
      const arity = known[arg.slice(2)]!;
      const values = args.slice(i + 1, i + 1 + arity);
      if (values.length < arity) throw new LeashError('usage', `${arg} needs ${arity} value${arity > 1 ? 's' : ''}.\n${USAGE}`);
      options.set(arg.slice(2), values);
      i += arity;
    } else if (arg.startsWith('--')) {
      throw new LeashError('usage', `Unknown option ${arg}.\n${USAGE}`);
    } else {
      positional.push(arg);
    }
  }
  return { positional, options };
}

async function signedIn(store: CredentialStore, hint = 'Run `leash login` first.'): Promise<LeashAgent> {
  const stored = await store.load();
  if (!stored) throw new LeashError('not_signed_in', `Not signed in. ${hint}`);
  // Every refresh under the store's lock, from the session as stored: other leash processes (an MCP
  // client's bridge, a script's `leash token`) share this refresh token family.
  return resume(stored.session, { dpop: stored.dpop, onSession: (session) => store.save(session), sharedSession: store });
}

async function login(store: CredentialStore, args: string[]) {
  const { positional, options } = parseFlags(args, { resource: 1, scope: 1, name: 1 });
  const issuer = (positional[0] ?? process.env.LEASH_ISSUER ?? 'http://localhost:3000').replace(/\/$/, '');
  const resource = options.get('resource')?.[0] ?? `${issuer}/api`;
  const scopes = (options.get('scope')?.[0] ?? 'datasets:read reports:read').split(/\s+/).filter(Boolean);
  const dpop = await store.createKey();
  const agent = await connect({
    issuer,
    resource,
    scopes,
    flow: 'device',
    dpop,
    clientName: options.get('name')?.[0] ?? 'Leash CLI',
    onDeviceCode: (prompt) => {
      console.log(`To sign in, open ${prompt.verificationUri} and enter the code ${prompt.userCode}`);
      if (prompt.verificationUriComplete) console.log(`(or open ${prompt.verificationUriComplete})`);
      console.log(`Waiting for you to approve (the code expires in ${Math.round(prompt.expiresIn / 60)} minutes)...`);
    },
    onSession: (session) => store.save(session),
  });
  const { session } = agent;
  console.log(`Signed in to ${session.issuer} as ${session.clientId} (${session.scope ?? scopes.join(' ')}).`);
}

function describe(session: LeashSession, store: CredentialStore, jkt: string | undefined) {
  const seconds = Math.round((session.expiresAt - Date.now()) / 1000);
  return [
    `Signed in to ${session.issuer}`,
    `  client id:     ${session.clientId}`,
    `  resource:      ${session.resource}`,
    `  scopes:        ${session.scope ?? ''}`,
    `  access token:  ${session.tokenType}, ${seconds > 0 ? `expires in ${seconds} s` : 'expired (refreshed on next use)'}`,
    `  refresh token: ${session.refreshToken ? 'yes' : 'no'}`,
    ...(jkt ? [`  DPoP key:      ${jkt}`] : []),
    `  credentials:   ${store.paths.credentialsFile} (keys: ${store.keysLocation})`,
  ].join('\n');
}

async function status(store: CredentialStore) {
  const stored = await store.load();
  if (!stored) {
    console.log('Not signed in.');
    return 1;
  }
  console.log(describe(stored.session, store, stored.dpop.thumbprint));
  return 0;
}

async function token(store: CredentialStore, args: string[]) {
  const { options } = parseFlags(args, { resource: 1, scope: 1, dpop: 2, json: 0 });
  const agent = await signedIn(store);
  // A refresh every time: the full lifetime, and the server's current DPoP nonce for the proof.
  await agent.refresh();
  const narrowed = options.has('scope') || options.has('resource') ? await agent.narrow({ scope: options.get('scope')?.[0], resource: options.get('resource')?.[0] }) : null;
  const accessToken = narrowed?.access_token ?? agent.session.accessToken;
  const tokenType = narrowed ? (narrowed.token_type.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer') : agent.session.tokenType;
  const [method, url] = options.get('dpop') ?? [];
  const headers = method && url ? await agent.authorizationHeaders(method, url, { accessToken, tokenType }) : null;
  if (options.has('json')) {
    const expiresIn = narrowed?.expires_in ?? Math.round((agent.session.expiresAt - Date.now()) / 1000);
    console.log(JSON.stringify({ access_token: accessToken, token_type: tokenType, expires_in: expiresIn, ...(headers?.DPoP ? { dpop: headers.DPoP } : {}) }));
  } else {
    console.log(accessToken);
    if (headers?.DPoP) console.log(headers.DPoP);
    else if (tokenType === 'DPoP') console.error('(DPoP-bound: send it as "Authorization: DPoP <token>" with a proof: --dpop METHOD URL, or use `leash curl`.)');
  }
  return 0;
}

async function curl(store: CredentialStore, args: string[]) {
  const [url, ...rest] = args;
  if (!url || !/^https?:\/\//.test(url)) throw new LeashError('usage', `leash curl needs the URL first.\n${USAGE}`);
  const agent = await signedIn(store);
  await agent.refresh();
  const headers = await agent.authorizationHeaders(curlMethod(rest), url);
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  return new Promise<number>((resolve, reject) => {
    const child = spawn('curl', [...headerArgs, ...rest, url], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function logout(store: CredentialStore) {
  const stored = await store.load().catch(() => null);
  if (stored) {
    await resume(stored.session, { dpop: stored.dpop }).revoke();
    console.log(`Signed out: the tokens are revoked at ${stored.session.issuer}.`);
  } else {
    console.log('Not signed in.');
  }
  await store.clear();
  return 0;
}

/** The issuer and resource of the MCP commands: the options, else the signed-in session's issuer and `<issuer>/mcp`. */
async function mcpTarget(store: CredentialStore, options: Map<string, string[]>) {
  const stored = await store.load().catch(() => null);
  const issuer = (options.get('issuer')?.[0] ?? stored?.session.issuer ?? process.env.LEASH_ISSUER ?? 'http://localhost:3000').replace(/\/$/, '');
  const resource = options.get('resource')?.[0] ?? `${issuer}/mcp`;
  return { issuer, resource, url: options.get('url')?.[0] ?? resource };
}

async function mcp(store: CredentialStore, args: string[]) {
  const { options } = parseFlags(args, { issuer: 1, resource: 1, url: 1 });
  const { issuer, resource, url } = await mcpTarget(store, options);
  const login = `Run \`npx leash login ${issuer} --resource ${resource}\` first.`;
  const agent = await signedIn(store, login);
  const { session } = agent;
  // The tokens are for one issuer and one resource (RFC 8707 audience): say so instead of sending them elsewhere.
  if (session.issuer !== issuer || session.resource !== resource) {
    throw new LeashError('wrong_session', `Signed in to ${session.issuer} for ${session.resource}, not ${issuer} for ${resource}. ${login}`);
  }
  const { runMcpBridge } = await import('./mcp-bridge.js');
  const code = await runMcpBridge({ agent, url });
  // Nothing more to do once the client is gone or the session ended: exit (after stdout is flushed)
  // even if the HTTP transport still holds a timer.
  process.stdout.write('', () => process.exit(code));
  return code;
}

async function mcpConfigCommand(store: CredentialStore, args: string[]) {
  const { positional, options } = parseFlags(args, { issuer: 1, resource: 1, url: 1, name: 1 });
  const client = positional[0] ?? '';
  if (!isMcpClient(client)) throw new LeashError('usage', `leash mcp-config needs one of: ${MCP_CLIENTS.join(', ')}.\n${USAGE}`);
  const target = { ...(await mcpTarget(store, options)), name: options.get('name')?.[0], env: process.env };
  console.log(JSON.stringify(mcpConfig(client, target), null, 2));
  console.error(mcpConfigHint(client, target));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const store = new CredentialStore();
  switch (command) {
    case 'login':
      await login(store, args);
      return 0;
    case 'status':
      return status(store);
    case 'token':
      return token(store, args);
    case 'curl':
      return curl(store, args);
    case 'logout':
      return logout(store);
    case 'scan':
      // A path that does not exist or an unknown option: status 2, as for any usage error.
      return runScan(args).catch((error: unknown) => {
        if (!(error instanceof ScanPathError)) throw error;
        console.error(`leash scan: ${error.message}`);
        return 2;
      });
    case 'mcp':
      return mcp(store, args);
    case 'mcp-config':
      return mcpConfigCommand(store, args);
    default:
      console.log(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof SessionEndedError) console.error(`${error.message}\nRun \`leash login\` to sign in again.`);
    else if (error instanceof LeashError) console.error(error.message);
    else console.error(error);
    process.exitCode = 1;
  },
);
