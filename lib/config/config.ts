// The one configuration object (STYLE habit 12): parsed from the environment once, every option
// documented with its unit and default (README "Configuration" mirrors this file).
// Imported by the server and by the launcher scripts, which run with the `react-server` condition.
import 'server-only';
import path from 'node:path';
import { z } from 'zod';
import { loadOrCreateSecrets, loadOrCreateVapidKeys } from './secrets';

const booleanFlag = z.enum(['0', '1', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
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

const RESERVED_SCHEMES = new Set(['http', 'https', 'javascript', 'data', 'file', 'vbscript', 'blob', 'about']);

function clamp(v: number, min: number, max: number) {
  return Math.min(Math.max(v, min), max);
}

function clampLimit(v: number) {
  return clamp(v, 1, 100);
}

export type Config = ReturnType<typeof parseConfig>;

export class ConfigError extends Error {}

/** Parses an environment into the configuration. Pure except for the secrets file in the data folder. */
export function parseConfig(env: Record<string, string | undefined>, cwd = process.cwd()) {
  // Empty strings mean "unset", as in most .env tooling.
  // (LEASH_NATIVE_SCHEMES= is kept: empty turns the default scheme list off.)
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && (v !== '' || k === 'LEASH_NATIVE_SCHEMES')));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.LEASH_REGISTRATION === 'token' && !e.LEASH_REGISTRATION_TOKEN) {
    throw new ConfigError('Invalid configuration:\n  LEASH_REGISTRATION_TOKEN: required when LEASH_REGISTRATION=token');
  }
  if (e.LEASH_METRICS_PORT === e.PORT) {
    throw new ConfigError('Invalid configuration:\n  LEASH_METRICS_PORT: must differ from PORT (metrics stay off the public port)');
  }
  const dataDir = path.resolve(cwd, e.LEASH_DATA_DIR ?? '.leash');
  const issuer = parseIssuer(e.LEASH_ISSUER ?? `http://localhost:${e.PORT}`);
  const secrets = loadOrCreateSecrets(dataDir, {
    sessionSecret: e.LEASH_SESSION_SECRET,
    encryptionKey: e.LEASH_ENCRYPTION_KEY,
  });
  if (Boolean(e.LEASH_VAPID_PUBLIC_KEY) !== Boolean(e.LEASH_VAPID_PRIVATE_KEY)) {
    throw new ConfigError('Invalid configuration:\n  LEASH_VAPID_PUBLIC_KEY, LEASH_VAPID_PRIVATE_KEY: give both or neither');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    /** PostgreSQL session timeouts of the server's pool, milliseconds (0: off). */
    maxClockSkewMs: e.LEASH_MAX_CLOCK_SKEW * 1000,
    /** The JWKS `max-age`, seconds: also how long a new signing key is published before it signs. */
    jwksMaxAgeSeconds: e.LEASH_JWKS_MAX_AGE,
    databaseTimeouts: { statementMs: e.LEASH_DB_STATEMENT_TIMEOUT, lockMs: e.LEASH_DB_LOCK_TIMEOUT },
    dataDir,
    issuer,
    /** True when the public URL is HTTPS: HSTS and `__Secure-` cookies. */
    secure: issuer.startsWith('https://'),
    embeddedDb: { port: e.LEASH_DB_PORT, password: secrets.databasePassword, dir: path.join(dataDir, 'postgres') },
    sessionSecret: secrets.sessionSecret,
    encryptionKey: Buffer.from(secrets.encryptionKey, 'base64url'),
    demo: e.LEASH_DEMO,
    trustedProxies: e.LEASH_TRUSTED_PROXIES,
    sessionMaxAge: e.LEASH_SESSION_MAX_AGE,
    signUpIpLimit: e.LEASH_SIGNUP_IP_LIMIT,
    userRateLimitPerMinute: e.LEASH_USER_RATE_LIMIT,
    registration: { mode: e.LEASH_REGISTRATION, token: e.LEASH_REGISTRATION_TOKEN },
    cimdAllowlist: e.LEASH_CIMD_ALLOWLIST.split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    webhookAllowlist: e.LEASH_WEBHOOK_ALLOWLIST.split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    ssfAllowlist: e.LEASH_SSF_ALLOWLIST.split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    nativeSchemes: e.LEASH_NATIVE_SCHEMES.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    oauthLimits: {
      tokenPerIpPerMinute: e.LEASH_TOKEN_IP_LIMIT,
      tokenPerClientPerMinute: e.LEASH_TOKEN_CLIENT_LIMIT,
      registerPerIpPerHour: e.LEASH_REGISTER_IP_LIMIT,
    },
    signIn: {
      accountLimit: e.LEASH_SIGNIN_ACCOUNT_LIMIT,
      ipLimit: e.LEASH_SIGNIN_IP_LIMIT,
      windowSeconds: e.LEASH_SIGNIN_WINDOW,
    },
    checkResponses: e.LEASH_CHECK_RESPONSES ?? cleaned.NODE_ENV !== 'production',
    /** Secret scanning reports (lib/secret-scanning/): the signing keys' URL and the per-address limit. */
    secretScanning: { keysUrl: parseKeysUrl(e.LEASH_SECRET_SCANNING_KEYS_URL), perIpPerMinute: e.LEASH_SECRET_SCANNING_IP_LIMIT },
    /** Notifications (lib/notifications/): SMTP (null: the dev mailbox), Web Push's VAPID identity and loopback allowlist. */
    notifications: {
      smtpUrl: e.LEASH_SMTP_URL ?? null,
      mailFrom: e.LEASH_MAIL_FROM ?? `Leash <leash@${new URL(issuer).hostname}>`,
      vapid: {
        ...(e.LEASH_VAPID_PUBLIC_KEY && e.LEASH_VAPID_PRIVATE_KEY ? { publicKey: e.LEASH_VAPID_PUBLIC_KEY, privateKey: e.LEASH_VAPID_PRIVATE_KEY } : loadOrCreateVapidKeys(dataDir)),
        subject: e.LEASH_VAPID_SUBJECT ?? (issuer.startsWith('https://') ? issuer : 'mailto:leash@localhost'),
      },
      pushAllowlist: e.LEASH_PUSH_ALLOWLIST.split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    },
    /** /metrics (server/metrics.ts): its own listener when `port` is set; the public port only with `token`. */
    metrics: { port: e.LEASH_METRICS_PORT ?? null, host: e.LEASH_METRICS_HOST, token: e.LEASH_METRICS_TOKEN ?? null },
  };
}

/**
 * RFC 8414 §2: the issuer is an https URL with no query or fragment. Plain http is accepted only for
 * loopback hosts (local development, RFC 8252 §8.3 spirit). No trailing slash, so that
 * `${issuer}/path` is always well formed and `issuer` compares byte for byte.
 */
function parseIssuer(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`Invalid configuration:\n  LEASH_ISSUER: not a URL: ${raw}`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError('Invalid configuration:\n  LEASH_ISSUER: must be https (http only for localhost)');
  }
  if (url.search || url.hash || raw.includes('?') || raw.includes('#')) {
    throw new ConfigError('Invalid configuration:\n  LEASH_ISSUER: must not have a query or fragment');
  }
  return url.href.replace(/\/+$/, '');
}

/** The secret scanning keys' URL: https, or plain http on a loopback host (as LEASH_ISSUER). */
function parseKeysUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`Invalid configuration:\n  LEASH_SECRET_SCANNING_KEYS_URL: not a URL: ${raw}`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError('Invalid configuration:\n  LEASH_SECRET_SCANNING_KEYS_URL: must be https (http only for localhost)');
  }
  return url.href;
}

let cached: Config | undefined;

/** The process-wide configuration, parsed on first use. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
