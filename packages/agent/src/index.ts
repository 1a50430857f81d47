// @leash/agent: connect an AI agent to Leash. Runs wherever fetch and WebCrypto exist (Node 20+,
// edge runtimes); the loopback callback of the authorization code flow is Node-only and loaded
// only for that flow.
export { connect, resume, type ConnectOptions } from './connect.js';
export { LeashAgent, type LeashSession, type LeashRequestInit, type ApprovalOptions, type ApprovalPending, type AgentOptions } from './agent.js';
export { DpopKey } from './dpop.js';
export { requireApproval, type ApprovedContext } from './require-approval.js';
export { parseWwwAuthenticate, readRefusal, type Refusal, type Challenge } from './www-authenticate.js';
export type { ServerMetadata, TokenResponse, DevicePrompt } from './protocol.js';
export { LeashError, OAuthProtocolError, DiscoveryError, AuthorizationError, SessionEndedError, ApprovalDeniedError, ApprovalExpiredError, DeviceFlowError } from './errors.js';
