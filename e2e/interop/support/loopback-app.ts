// The part of an agent application that LangChain's MCP adapters, the Vercel AI SDK and the OpenAI
// Agents SDK leave to the application: the MCP `OAuthClientProvider` (storage, the registration
// metadata, "open this URL in the browser") and the loopback callback server (RFC 8252 §7.3).
// Written the way a desktop or CLI app writes it: `http://localhost:<port>/callback` on a real HTTP
// server, a public client (token_endpoint_auth_method none, PKCE), and no application_type: the
// MCP SDK examples and most apps send none, and whatever the framework adds on its own is its
// business (the AI SDK and MCP SDK v2 derive `native` from the loopback URI; SDK v1 sends none).
//
// The frameworks' own code does everything else: the 401, discovery (RFC 9728, RFC 8414), dynamic
// registration (RFC 7591), PKCE, the authorization URL, the code exchange and refresh.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Callback = { code: string; state: string | null; iss: string | null };
type Stored = Record<string, unknown> & { client_id?: string };

/** Structurally the `OAuthClientProvider` of MCP SDK v1 and v2 and of `@ai-sdk/mcp`. */
export class LoopbackApp {
  readonly redirectUrl: string;
  /** Every authorization URL the framework asked the app to open, in order. */
  readonly authorizationUrls: URL[] = [];
  /**
   * An app with an https client id (a Client ID Metadata Document it publishes) sets it here; the
   * SDK then uses it as the client_id when the server supports CIMD, with no registration call.
   */
  clientMetadataUrl?: string;
  private client?: Stored;
  private saved?: Stored & { access_token: string; refresh_token?: string };
  private verifier?: string;
  private discovery?: object;
  private expectedState?: string;
  private waiting: ((callback: Callback) => void)[] = [];
  private received: Callback[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly clientName: string,
  ) {
    this.redirectUrl = `http://localhost:${(server.address() as AddressInfo).port}/callback`;
  }

  /** Starts the callback server on a free loopback port. */
  static async start(clientName: string): Promise<LoopbackApp> {
    // The handler runs only once a request arrives, after `app` is set.
    const server = http.createServer((req, res) => app.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const app = new LoopbackApp(server, clientName);
    return app;
  }

  get clientMetadata() {
    return {
      client_name: this.clientName,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  /** A fresh `state` per authorization request (RFC 6749 §10.12), checked on the way back. */
  state() {
    this.expectedState = crypto.randomBytes(16).toString('base64url');
    return this.expectedState;
  }
  clientInformation() {
    return this.client as { client_id: string } | undefined;
  }
  saveClientInformation(info: object) {
    this.client = info as Stored;
  }
  tokens() {
    return this.saved as { access_token: string; token_type: string } | undefined;
  }
  saveTokens(tokens: object) {
    this.saved = tokens as Stored & { access_token: string };
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }
  /** Kept with the verifier (MCP SDK v2, SEP-2352: the code is redeemed at the server that issued it). */
  saveDiscoveryState(state: object) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery as never;
  }
  /** A real app opens the system browser here; the test opens the recorded URL in Chromium. */
  redirectToAuthorization(url: URL) {
    this.authorizationUrls.push(url);
  }

  /** What the app holds: the registration the server returned and the last tokens. */
  get registered() {
    return this.client;
  }
  get heldTokens() {
    return this.saved;
  }

  /** The next authorization response at the callback (in the order they arrive). */
  nextCallback(): Promise<Callback> {
    const ready = this.received.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', this.redirectUrl);
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    const state = url.searchParams.get('state');
    const code = url.searchParams.get('code');
    if (!code || state !== this.expectedState) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`Sign-in failed: ${url.searchParams.get('error') ?? 'state mismatch'}`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${this.clientName} is connected. You can close this window.`);
    const callback = { code, state, iss: url.searchParams.get('iss') };
    const waiter = this.waiting.shift();
    if (waiter) waiter(callback);
    else this.received.push(callback);
  }
}
