// The environment Leash reads, variable by variable: each one's meaning, default and bounds
// (lib/config/config.ts turns the parsed values into the configuration).
import { z } from 'zod';

const booleanFlag = z.enum(['0', '1', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');

const RESERVED_SCHEMES = new Set(['http', 'https', 'javascript', 'data', 'file', 'vbscript', 'blob', 'about']);

function clamp(v: number, min: number, max: number) {
  return Math.min(Math.max(v, min), max);
}

function clampLimit(v: number) {
  return clamp(v, 1, 100);
}

export const envSchema = z.object({
  /** Log level: fatal, error, warn, info (default), debug, trace or silent. Read by lib/log/logger.ts, validated here. */
  LEASH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  /** Log format: `json` (default in production unless stdout is a terminal) or `pretty`. */
  LEASH_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** One access-log line per request (server/serve.ts). Default 1. */
  LEASH_ACCESS_LOG: booleanFlag.optional(),
  /** Graceful shutdown: how long in-flight requests may take to finish, ms (server/lifecycle.ts). Default 10000. */
  LEASH_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).optional(),
  /** Graceful shutdown: how long readiness answers 503 before the listener closes, ms. Default 0. */
  LEASH_SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(600_000).optional(),
  /** TCP port the app listens on. Default 3000. */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Host interface to bind. Default 0.0.0.0 (all). */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** PostgreSQL connection string. Unset: `npm start` runs an embedded PostgreSQL 17. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Folder for the embedded database, generated secrets and markers. Default `.leash/`. */
  LEASH_DATA_DIR: z.string().min(1).optional(),
  /** Public base URL of this deployment, used as the OAuth `issuer`. Default http://localhost:$PORT. */
  LEASH_ISSUER: z.string().optional(),
  /** Port of the embedded PostgreSQL (only when DATABASE_URL is unset). Default 54329. */
  LEASH_DB_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Secret that signs and encrypts session cookies (>= 32 chars). Default: generated, persisted. */
  LEASH_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Key that encrypts private signing keys at rest (32 bytes, base64url). Default: generated, persisted. */
  LEASH_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64url').length === 32, 'must be 32 bytes, base64url-encoded')
    .optional(),
  /** Seed the demo account on a fresh data folder. Default 1; `0` turns it off. */
  LEASH_DEMO: booleanFlag.default(true),
  /** Number of reverse proxies in front of the app whose X-Forwarded-For is trusted. Default 0. */
  LEASH_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  /** Lifetime of a dashboard session, seconds. Default 28800 (8 h), clamped to 300..2592000. */
  LEASH_SESSION_MAX_AGE: z.coerce
    .number()
    .int()
    .default(8 * 3600)
    .transform((v) => Math.min(Math.max(v, 300), 30 * 24 * 3600)),
  /** Failed sign-ins allowed per account per window before it is locked. Default 5, clamped 1..100. */
  LEASH_SIGNIN_ACCOUNT_LIMIT: z.coerce.number().int().default(5).transform(clampLimit),
  /** Failed sign-ins allowed per client IP per window. Default 20, clamped 1..100. */
  LEASH_SIGNIN_IP_LIMIT: z.coerce.number().int().default(20).transform(clampLimit),
  /** Sign-up attempts allowed per client IP per hour. Default 10, clamped 1..100. */
  LEASH_SIGNUP_IP_LIMIT: z.coerce.number().int().default(10).transform(clampLimit),
  /** Dynamic client registration: `open` (default), `token` (needs LEASH_REGISTRATION_TOKEN) or `off`. */
  LEASH_REGISTRATION: z.enum(['open', 'token', 'off']).default('open'),
  /** The initial access token for LEASH_REGISTRATION=token (at least 32 characters). */
  LEASH_REGISTRATION_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Token endpoint requests per client IP per minute, per instance. Default 1200, clamped 10..1000000. */
  LEASH_TOKEN_IP_LIMIT: z.coerce
    .number()
    .int()
    .default(1200)
    .transform((v) => clamp(v, 10, 1_000_000)),
  /** Token endpoint requests per client per minute, per instance. Default 600, clamped 10..1000000. */
  LEASH_TOKEN_CLIENT_LIMIT: z.coerce
    .number()
    .int()
    .default(600)
    .transform((v) => clamp(v, 10, 1_000_000)),
  /** Client registrations per IP per hour, per instance. Default 20, clamped 1..10000. */
  LEASH_REGISTER_IP_LIMIT: z.coerce
    .number()
    .int()
    .default(20)
    .transform((v) => clamp(v, 1, 10_000)),
  /**
   * host:port origins whose Client ID Metadata Documents may be fetched over plain http or from
   * private/loopback addresses (development and tests only). Comma-separated. Default: none.
   */
  LEASH_CIMD_ALLOWLIST: z.string().default(''),
  LEASH_WEBHOOK_ALLOWLIST: z.string().default(''),
  /**
   * host:port origins a Shared Signals stream may push its SETs to over plain http or on a
   * private/loopback address (development and tests only; docs/shared-signals.md). Comma-separated.
   * Default: none.
   */
  LEASH_SSF_ALLOWLIST: z.string().default(''),
  /**
   * Private-use redirect URI schemes accepted for native clients although they are not reverse
   * domain names (RFC 8252 §7.1 asks for those), for MCP hosts that ship such a scheme.
   * Comma-separated. Default `cursor` (Cursor's `cursor://anysphere.cursor-mcp/oauth/callback`);
   * empty string turns it off.
   */
  LEASH_NATIVE_SCHEMES: z
    .string()
    .default('cursor')
    .refine(
      (v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .every((s) => /^[a-z][a-z0-9+.-]*$/.test(s) && !RESERVED_SCHEMES.has(s)),
      'must be comma-separated lower-case URI schemes (not http, https, javascript, data, file or vbscript)',
    ),
  /** Agent API calls per user per minute across all of that user's agents, per instance. Default 3000. */
  LEASH_USER_RATE_LIMIT: z.coerce
    .number()
    .int()
    .default(3000)
    .transform((v) => clamp(v, 1, 1_000_000)),
  /** The sign-in rate-limit window, seconds. Default 900 (15 min), clamped 60..86400. */
  LEASH_SIGNIN_WINDOW: z.coerce
    .number()
    .int()
    .default(900)
    .transform((v) => Math.min(Math.max(v, 60), 86400)),
  /**
   * Longest any one SQL statement of the server's pool may run, milliseconds (PostgreSQL
   * `statement_timeout`). A slow or stuck database then fails a request with 503 instead of holding
   * it and its connection. Default 5000, clamped to 100..600000; `0` turns it off (batch scripts).
   */
  LEASH_DB_STATEMENT_TIMEOUT: z.coerce
    .number()
    .int()
    .default(5000)
    .transform((v) => (v <= 0 ? 0 : clamp(v, 100, 600_000))),
  /**
   * Longest a statement of the server's pool waits for a lock, milliseconds (PostgreSQL
   * `lock_timeout`): a table locked by a migration or a maintenance job answers 503 quickly instead
   * of piling requests up behind the lock. Default 2000, clamped to 100..600000; `0` turns it off.
   */
  LEASH_DB_LOCK_TIMEOUT: z.coerce
    .number()
    .int()
    .default(2000)
    .transform((v) => (v <= 0 ? 0 : clamp(v, 100, 600_000))),
  /**
   * How far this server's clock may be from the database's, seconds, before it refuses to decide
   * anything that depends on time (503 until the clock is right again, lib/clock/trusted-clock.ts).
   * Default 30, clamped to 1..3600.
   */
  LEASH_MAX_CLOCK_SKEW: z.coerce
    .number()
    .int()
    .default(30)
    .transform((v) => clamp(v, 1, 3600)),
  /**
   * How long verifiers may cache the JWKS, seconds: the `max-age` of /.well-known/jwks.json, and so
   * how long a rotated-in signing key is published before it signs (lib/keys/key-timeline.ts).
   * Default 300, clamped to 1..86400.
   */
  LEASH_JWKS_MAX_AGE: z.coerce
    .number()
    .int()
    .default(300)
    .transform((v) => clamp(v, 1, 86400)),
  /**
   * Check every answer of the agents' API against the output schema the OpenAPI document publishes
   * (lib/resource/check-response.ts); a mismatch answers 500 naming the field. Default: on unless
   * NODE_ENV=production (`npm run dev` and Vitest check; `npm start` does not). The e2e servers set 1.
   */
  LEASH_CHECK_RESPONSES: booleanFlag.optional(),
  /**
   * Where the public keys that sign secret scanning reports are published (GitHub's secret scanning
   * partner program, docs/secret-scanning.md): `{ public_keys: [{ key_identifier, key, is_current }] }`.
   * Default GitHub's. https; plain http only on a loopback host (development and tests).
   */
  LEASH_SECRET_SCANNING_KEYS_URL: z.string().default('https://api.github.com/meta/public_keys/secret_scanning'),
  /** Secret scanning reports accepted per client IP per minute, per instance. Default 60, clamped 1..100000. */
  LEASH_SECRET_SCANNING_IP_LIMIT: z.coerce
    .number()
    .int()
    .default(60)
    .transform((v) => clamp(v, 1, 100_000)),
  /**
   * Notifications (issue 17, docs/notifications.md): the SMTP server mail goes through, as a URL
   * (`smtp://user:pass@host:587`, `smtps://…:465`). Unset: mail is kept in the administrators' dev
   * mailbox (/settings/mailbox) instead of being sent, so a fresh `npm start` needs no set-up.
   */
  LEASH_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The From: of Leash's mail. Default `Leash <leash@HOST>`, HOST being the issuer's host name. */
  LEASH_MAIL_FROM: z.string().min(3).optional(),
  /** Web Push (RFC 8292 VAPID): the application server's P-256 key pair, base64url (public: 65-byte point; private: 32 bytes). Default: generated, persisted. */
  LEASH_VAPID_PUBLIC_KEY: z.string().optional(),
  LEASH_VAPID_PRIVATE_KEY: z.string().optional(),
  /** RFC 8292 §2.1 `sub`: how a push service reaches the operator (mailto: or https:). Default: the issuer when https, else mailto:leash@localhost. */
  LEASH_VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)/, 'must be a mailto: or https: URL')
    .optional(),
  /**
   * host:port origins of push services that may be called over plain http or on a loopback/private
   * address (tests' push service stub). Comma-separated. Default: none.
   */
  LEASH_PUSH_ALLOWLIST: z.string().default(''),
  /** Port of a separate listener answering GET /metrics (Prometheus text). Default: none. */
  LEASH_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Interface the metrics listener binds. Default 127.0.0.1 (this machine only). */
  LEASH_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Bearer token that opens GET /metrics on the public port (at least 32 characters). Default: none (404). */
  LEASH_METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
});
