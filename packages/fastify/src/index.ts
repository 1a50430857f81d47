// @leash/fastify: AI agents call your Fastify API through Leash. Three lines:
//
//   import leash from '@leash/fastify';
//   await app.register(leash, { issuer, resource, clientId, clientSecret });
//   app.get('/orders', { config: { leash: { scopes: ['orders:read'] } } }, handler);
//
// The plugin serves the API's RFC 9728 metadata, checks every route that has `config.leash` (the
// token in an onRequest hook, the action in a preHandler hook once the body is parsed) with
// the framework-free verifier of @leash/resource-server, answers refusals with the standard
// challenges, and puts what it learned on `request.leash`. With `sharedSignals`, it receives
// Leash's revocation events (push, RFC 8935) and registers the stream once the server listens.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createVerifier, type Entity, type LeashAuth, type Verifier, type VerifierOptions, type VerifyResult } from '@leash/resource-server';

/** What a route asks for: its scopes, its action (asked of Leash's PDP) and what the action acts on. */
export type LeashRouteOptions = {
  scopes?: string[];
  action?: string;
  resource?: Entity | ((request: FastifyRequest) => Entity);
  context?: Record<string, unknown> | ((request: FastifyRequest) => Record<string, unknown>);
};

export type LeashPluginOptions = VerifierOptions & {
  /**
   * Receive Shared Signals (revocations pushed by Leash): the path of the push endpoint on this
   * server, and the URL Leash reaches it at. The stream is registered with Leash when the server
   * starts listening (`onListen`); if that fails, the error is logged and tokens are still checked
   * (revocation then takes up to the introspection cache's seconds).
   */
  sharedSignals?: { path: string; endpointUrl: string; description?: string };
};

declare module 'fastify' {
  interface FastifyContextConfig {
    leash?: LeashRouteOptions;
  }
  interface FastifyRequest {
    /** Set on routes with `config.leash`, once the request is allowed. */
    leash: LeashAuth | null;
  }
  interface FastifyInstance {
    leash: Verifier & { streamId?: string };
  }
}

const leashPlugin: FastifyPluginAsync<LeashPluginOptions> = async (app: FastifyInstance, options) => {
  const { sharedSignals, ...verifierOptions } = options;
  const verifier: Verifier & { streamId?: string } = createVerifier(verifierOptions);
  app.decorate('leash', verifier);
  app.decorateRequest('leash', null);

  // RFC 9728 §3: this API's metadata, where the challenges' `resource_metadata` points.
  app.get(verifier.metadataPath, async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=300').header('Access-Control-Allow-Origin', '*');
    return verifier.metadata();
  });

  // The token is checked on request (before the body is read or validated: an anonymous caller
  // learns nothing about the body's schema), the action after the body is parsed, so a route can
  // give the PDP an amount read from it.
  const requestOf = (request: FastifyRequest) => ({ method: request.method, url: request.url, headers: request.headers, ip: request.ip });
  const refuse = (request: FastifyRequest, reply: FastifyReply, result: Extract<VerifyResult, { ok: false }>) => {
    if (result.refusal.debug) request.log.warn({ error: result.refusal.code, debug: result.refusal.debug }, 'leash: refused');
    return reply.code(result.answer.status).headers(result.answer.headers).send(result.answer.body);
  };
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.config?.leash;
    if (!route) return;
    const result = await verifier.authenticate(requestOf(request), { scopes: route.scopes });
    if (!result.ok) return refuse(request, reply, result);
    request.leash = result.auth;
  });
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.config?.leash;
    if (!route?.action || !request.leash) return;
    const result = await verifier.authorize(request.leash, requestOf(request), {
      scopes: route.scopes,
      action: route.action,
      resource: typeof route.resource === 'function' ? route.resource(request) : route.resource,
      context: typeof route.context === 'function' ? route.context(request) : route.context,
    });
    if (!result.ok) {
      request.leash = null;
      return refuse(request, reply, result);
    }
    request.leash = result.auth;
  });

  if (sharedSignals) {
    // RFC 8935 §2: the SET is the whole body, of type application/secevent+jwt.
    app.addContentTypeParser('application/secevent+jwt', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));
    app.post(sharedSignals.path, async (request, reply) => {
      const answer = await verifier.receiveSet({ method: request.method, url: request.url, headers: request.headers }, typeof request.body === 'string' ? request.body : '');
      if (answer.received) request.log.info({ jti: answer.received.jti, events: answer.received.events, revocations: answer.received.revocations.length }, 'leash: shared signal');
      else request.log.warn({ status: answer.status, err: answer.body?.err }, 'leash: shared signal refused');
      reply.code(answer.status).headers(answer.headers);
      return answer.body === undefined ? reply.send() : reply.send(answer.body);
    });
    app.addHook('onListen', async () => {
      try {
        verifier.streamId = (await verifier.registerSharedSignalsStream(sharedSignals.endpointUrl, sharedSignals.description)).streamId;
        app.log.info({ stream_id: verifier.streamId }, 'leash: shared signals stream registered');
      } catch (error) {
        app.log.error({ err: error }, 'leash: the shared signals stream could not be registered');
      }
    });
  }
};

// Like fastify-plugin: not encapsulated, so the hook and the decorators apply to the whole app.
Object.assign(leashPlugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: '@leash/fastify' });

export default leashPlugin;
export { leashPlugin };
export type { LeashAuth, Verifier, VerifierOptions } from '@leash/resource-server';
