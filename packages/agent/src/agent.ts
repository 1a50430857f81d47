// A connected agent: holds one session (tokens, client id, the server's metadata) and its DPoP key,
// refreshes with rotation (one refresh at a time, shared by concurrent calls), and gives a `fetch`
// that signs every call and handles the refusals an agent can act on:
//   401 use_dpop_nonce                   → once more with the server's nonce (RFC 9449 §9)
//   401 invalid_token                    → one refresh, once more; still refused → SessionEndedError
//   403 approval_required,
//   401 insufficient_user_authentication → ask the person (OpenID CIBA, login_hint_token = this
//                                          access token), wait for the decision, once more with
//                                          the just-in-time token
// Nothing is retried twice, so a revoked session stops at once instead of looping.
import { DpopKey, DpopNonces } from './dpop.js';
import { LeashError, OAuthProtocolError, SessionEndedError } from './errors.js';
import { ACCESS_TOKEN_TYPE, GRANT, requestApproval, revokeToken, tokenRequest, postForm, asTokenResponse, type ProtocolContext, type ServerMetadata, type TokenResponse } from './protocol.js';
import { readRefusal, type Refusal } from './www-authenticate.js';

/** What a connected agent holds: serializable (JSON), without the DPoP key. */
export type LeashSession = {
  issuer: string;
  resource: string;
  clientId: string;
  metadata: ServerMetadata;
  accessToken: string;
  tokenType: 'DPoP' | 'Bearer';
  /** Epoch milliseconds. */
  expiresAt: number;
  refreshToken?: string;
  /** The scopes granted (RFC 6749 §5.1 `scope`). */
  scope?: string;
};

export type ApprovalPending = { authReqId: string; bindingMessage: string; expiresIn: number };

/** How to ask the person when the API says the call needs their approval. */
export type ApprovalOptions = {
  /** The line the person reads in their Approvals inbox (CIBA §7.1 binding_message, at most 200 characters). Default: the method and path. */
  bindingMessage?: string;
  /** The scope to ask for. Default: the `required_scope` of the refusal; for a step-up, the scopes granted. */
  scope?: string;
  /** RFC 9396 details the approval is for: a payment is approved only with its exact `payment_initiation` details. */
  authorizationDetails?: unknown[];
  /** Called once the request is filed and the person has been asked. */
  onPending?: (pending: ApprovalPending) => void | Promise<void>;
};

export type LeashRequestInit = RequestInit & {
  /** The instruction behind the call, sent as `Agent-Intent` (kept in the audit log as the user chooses). */
  intent?: string;
  /** `false`: return approval refusals as they are instead of asking the person. */
  approval?: ApprovalOptions | false;
};

export type AgentOptions = {
  fetch?: typeof fetch;
  /** The DPoP key the session's tokens are bound to; null for bearer tokens. */
  dpop: DpopKey | null;
  /** Called with the new session after each refresh (persist it: the old refresh token is spent). */
  onSession?: (session: LeashSession) => void | Promise<void>;
  /** Default approval behaviour for every call (per-call `approval` overrides it). */
  approval?: ApprovalOptions;
  /**
   * One stored session shared by several processes (the CLI, and each MCP client's `leash mcp`):
   * every refresh runs inside `withLock`, which hands over the session as stored now. When another
   * process has rotated the refresh token meanwhile, the agent refreshes with the stored one
   * instead of its own spent token, which the server would take for a replay and answer by
   * revoking the whole family (RFC 9700 §4.14.2).
   */
  sharedSession?: SharedSession;
};

export type SharedSession = { withLock<T>(fn: (stored: LeashSession | null) => Promise<T>): Promise<T> };

/** Per-call approval options that come from the context of the call (a framework wrapper's AsyncLocalStorage), read by `fetch`. */
export type AmbientApproval = { getStore(): ApprovalOptions | undefined };

/** Where a framework wrapper plugs its AsyncLocalStorage in (./approval-context.ts); not part of the public API. */
export const AMBIENT_APPROVAL = Symbol('leash.ambientApproval');

/** A refresh within this many seconds of expiry, so a token never expires on the way. */
const EXPIRY_MARGIN_SECONDS = 30;

type Prepared = { url: string; method: string; headers: Headers; body?: BodyInit };

export class LeashAgent {
  #session: LeashSession;
  readonly #dpop: DpopKey | null;
  readonly #fetch: typeof fetch;
  readonly #nonces = new DpopNonces();
  readonly #onSession?: AgentOptions['onSession'];
  readonly #approval?: ApprovalOptions;
  readonly #shared?: SharedSession;
  #refreshing?: Promise<void>;
  #ended?: string;
  [AMBIENT_APPROVAL]?: AmbientApproval;

  constructor(session: LeashSession, options: AgentOptions) {
    this.#session = { ...session };
    this.#dpop = options.dpop;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#onSession = options.onSession;
    this.#approval = options.approval;
    this.#shared = options.sharedSession;
    if (session.tokenType === 'DPoP' && !options.dpop) throw new LeashError('dpop_key_missing', 'This session is DPoP-bound: pass the DPoP key it was issued for.');
  }

  /** A copy of the session, to store (the DPoP key is not part of it). */
  get session(): LeashSession {
    return { ...this.#session };
  }

  get clientId(): string {
    return this.#session.clientId;
  }

  get dpopKey(): DpopKey | null {
    return this.#dpop;
  }

  #context(signal?: AbortSignal, dpop: DpopKey | null = this.#dpop): ProtocolContext {
    return { fetch: this.#fetch, dpop, nonces: this.#nonces, signal };
  }

  /** A valid access token, refreshed first when it expires within 30 seconds. */
  async accessToken(options: { signal?: AbortSignal } = {}): Promise<string> {
    if (this.#ended) throw new SessionEndedError(this.#ended);
    if (this.#session.expiresAt - EXPIRY_MARGIN_SECONDS * 1000 <= Date.now()) await this.refresh(options);
    return this.#session.accessToken;
  }

  /**
   * Refresh with rotation (RFC 6749 §6, RFC 9700 §4.14.2). Concurrent callers share one request: a
   * second refresh with the same token would be a reuse, and the server would revoke the family.
   */
  refresh(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#refreshing ??= this.#refresh(options.signal).finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(signal?: AbortSignal): Promise<void> {
    if (this.#ended) throw new SessionEndedError(this.#ended);
    if (!this.#shared) return this.#rotate(signal);
    return this.#shared.withLock(async (stored) => {
      // Another process rotated the family's refresh token: ours is spent, the stored one is current.
      if (stored && stored.clientId === this.#session.clientId && stored.refreshToken && stored.refreshToken !== this.#session.refreshToken) this.#session = { ...stored };
      await this.#rotate(signal);
    });
  }

  async #rotate(signal?: AbortSignal): Promise<void> {
    const { refreshToken, clientId, metadata } = this.#session;
    if (!refreshToken) this.#end('the access token expired and this session has no refresh token');
    let tokens: TokenResponse;
    try {
      // RFC 9449 §5: a bound refresh token is used with a proof made by the same key.
      tokens = await tokenRequest(this.#context(signal), metadata, { grant_type: GRANT.refreshToken, refresh_token: refreshToken!, client_id: clientId });
    } catch (error) {
      if (error instanceof OAuthProtocolError && error.error === 'invalid_grant') this.#end(error.description ?? 'the refresh token was refused', error);
      throw error;
    }
    this.#apply(tokens);
    await this.#onSession?.(this.session);
  }

  #apply(tokens: TokenResponse): void {
    this.#session = {
      ...this.#session,
      accessToken: tokens.access_token,
      tokenType: tokens.token_type.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer',
      expiresAt: Date.now() + (tokens.expires_in ?? 600) * 1000,
      refreshToken: tokens.refresh_token ?? this.#session.refreshToken,
      scope: tokens.scope ?? this.#session.scope,
    };
  }

  #end(reason: string, cause?: unknown): never {
    this.#ended = reason;
    throw new SessionEndedError(reason, { cause });
  }

  /** The headers that authorize one request (`Authorization` and, when bound, `DPoP`), for tools that send it themselves. */
  async authorizationHeaders(method: string, url: string, options: { signal?: AbortSignal; accessToken?: string; tokenType?: 'DPoP' | 'Bearer' } = {}): Promise<Record<string, string>> {
    const token = options.accessToken ?? (await this.accessToken(options));
    const type = options.tokenType ?? this.#session.tokenType;
    if (type !== 'DPoP' || !this.#dpop) return { Authorization: `Bearer ${token}` };
    return { Authorization: `DPoP ${token}`, DPoP: await this.#dpop.proof({ method, url, accessToken: token, nonce: this.#nonces.get(url) }) };
  }

  /** `fetch` for the protected API: authorized, signed, with nonce, refresh and approval handling. */
  async fetch(input: RequestInfo | URL, init: LeashRequestInit = {}): Promise<Response> {
    const { intent, approval, ...rest } = init;
    const signal = rest.signal ?? undefined;
    const request = await prepare(input, rest);
    const token = await this.accessToken({ signal });
    let response = await this.#send(request, token, this.#session.tokenType, intent, signal);
    let refusal = await readRefusal(response);

    if (refusal?.error === 'invalid_token') {
      // Another call may have refreshed meanwhile; else refresh once (a revoked session ends here).
      if (token === this.#session.accessToken) await this.refresh({ signal });
      await response.body?.cancel();
      response = await this.#send(request, this.#session.accessToken, this.#session.tokenType, intent, signal);
      refusal = await readRefusal(response);
      if (refusal?.error === 'invalid_token') this.#end(refusal.error_description ?? 'the access token was refused');
    }

    const ask = approval === false ? null : { ...this.#approval, ...this[AMBIENT_APPROVAL]?.getStore(), ...approval };
    if (ask && refusal && (refusal.error === 'approval_required' || refusal.error === 'insufficient_user_authentication')) {
      await response.body?.cancel();
      const jit = await this.approve(request.method, request.url, refusal, { ...ask, intent, signal });
      return this.#send(request, jit.access_token, jit.token_type.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', intent, signal);
    }
    return response;
  }

  /**
   * Asks the person for a just-in-time approval (OpenID CIBA, poll mode) and waits for it: the
   * answer is a single-purpose token for the approved action. Used by `fetch` on a refusal, and by
   * `requireApproval` before a tool runs.
   */
  async approve(
    method: string,
    url: string,
    refusal: Pick<Refusal, 'error' | 'required_scope'> | null,
    options: ApprovalOptions & { intent?: string; signal?: AbortSignal } = {},
  ): Promise<TokenResponse> {
    const granted = (this.#session.scope ?? '')
      .split(' ')
      .filter((s) => s && s !== 'offline_access')
      .join(' ');
    const scope = options.scope ?? refusal?.required_scope ?? (options.authorizationDetails ? undefined : granted);
    return requestApproval(this.#context(options.signal), this.#session.metadata, {
      clientId: this.#session.clientId,
      loginHintToken: await this.accessToken({ signal: options.signal }),
      scope: scope || undefined,
      authorizationDetails: options.authorizationDetails,
      bindingMessage: bindingMessage(options.bindingMessage ?? `Allow ${method} ${new URL(url).pathname}`),
      resource: this.#session.resource,
      intent: options.intent,
      onPending: options.onPending,
    });
  }

  /** Calls `url` with a token the agent already holds (a just-in-time token from `approve`). */
  async fetchWith(tokens: TokenResponse, input: RequestInfo | URL, init: LeashRequestInit = {}): Promise<Response> {
    const { intent, approval: _approval, ...rest } = init;
    const request = await prepare(input, rest);
    return this.#send(request, tokens.access_token, tokens.token_type.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', intent, rest.signal ?? undefined);
  }

  async #send(request: Prepared, token: string, tokenType: 'DPoP' | 'Bearer', intent: string | undefined, signal: AbortSignal | undefined): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const headers = new Headers(request.headers);
      for (const [name, value] of Object.entries(await this.authorizationHeaders(request.method, request.url, { accessToken: token, tokenType }))) headers.set(name, value);
      if (intent) headers.set('Agent-Intent', headerText(intent));
      const response = await this.#fetch(request.url, { method: request.method, headers, body: request.body, signal });
      const gotNonce = this.#nonces.remember(request.url, response);
      // RFC 9449 §9: the resource server asks for its nonce; once more with it.
      if (attempt === 0 && gotNonce && tokenType === 'DPoP' && response.status === 401 && (await readRefusal(response))?.error === 'use_dpop_nonce') {
        await response.body?.cancel();
        continue;
      }
      return response;
    }
  }

  /**
   * A narrower token for a sub-task (RFC 8693 token exchange without an actor): fewer scopes or a
   * narrower audience, no refresh token, revoked with its parent. Bound to the same DPoP key.
   */
  async narrow(options: { scope?: string; resource?: string; signal?: AbortSignal }): Promise<TokenResponse> {
    const ctx = this.#context(options.signal);
    const body = await postForm(ctx, this.#session.metadata.token_endpoint, {
      grant_type: GRANT.tokenExchange,
      client_id: this.#session.clientId,
      subject_token: await this.accessToken(options),
      subject_token_type: ACCESS_TOKEN_TYPE,
      scope: options.scope,
      resource: options.resource,
    });
    return asTokenResponse(ctx, body);
  }

  /** Ends the session at the server (RFC 7009): the refresh token (its family) and the access token. */
  async revoke(options: { signal?: AbortSignal } = {}): Promise<void> {
    const ctx = this.#context(options.signal);
    const { metadata, clientId, refreshToken, accessToken } = this.#session;
    if (refreshToken) await revokeToken(ctx, metadata, clientId, refreshToken, 'refresh_token');
    await revokeToken(ctx, metadata, clientId, accessToken, 'access_token');
    this.#ended = 'the agent signed out (revoked its tokens)';
  }
}

/** CIBA §7.1 binding_message: a short line of text (Leash: at most 200 characters, no control characters). */
function bindingMessage(text: string): string {
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** A header value: one line of Latin-1 (fetch refuses anything else); other characters become '?'. */
function headerText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/[^\u0020-\u00ff]/g, '?')
    .trim()
    .slice(0, 2000);
}

/** The request as replayable parts: a streamed body is read once so a retry can send it again. */
async function prepare(input: RequestInfo | URL, init: RequestInit): Promise<Prepared> {
  if (input instanceof Request) {
    const request = new Request(input, init);
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    return { url: request.url, method: request.method, headers: new Headers(request.headers), body };
  }
  let body = init.body ?? undefined;
  if (body instanceof ReadableStream) body = await new Response(body).arrayBuffer();
  return { url: input.toString(), method: (init.method ?? 'GET').toUpperCase(), headers: new Headers(init.headers), body };
}
