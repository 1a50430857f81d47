// @leash/resource-server: protect your own API with Leash, without a framework. `createVerifier`
// gives `verify(request, route)`; `@leash/resource-server/node` adds an Express / node:http
// middleware; `@leash/fastify` is the Fastify plugin on top of the same verifier.
export { createVerifier, type Verifier, type VerifierOptions, type RouteRequirements, type RequestLike, type LeashAuth, type VerifyResult } from './verifier.js';
export { Refusal, refusalAnswer, refusalResponse, challengeHeader, type RefusalCode, type RefusalAnswer, type ChallengeContext } from './refusal.js';
export type { AccessTokenClaims } from './token-claims.js';
export type { Entity, EvaluationRequest, PolicyOutcome } from './authzen.js';
export { CAEP, PUSH_DELIVERY, type ReceivedSet } from './shared-signals.js';
export { DPOP_ALGS } from './dpop.js';
