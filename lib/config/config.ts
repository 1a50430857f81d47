// The one configuration object (STYLE habit 12): parsed from the environment once, every option
// documented with its unit and default (README "Configuration" mirrors this file).
// Imported by the server and by the launcher scripts, which run with the `react-server` condition.
import 'server-only';
import path from 'node:path';
import { envSchema } from './env-schema';
import { loadOrCreateSecrets, loadOrCreateVapidKeys } from './secrets';

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
