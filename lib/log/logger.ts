// One structured logger for the process (issue 19 §1), on pino: JSON lines in production, a
// readable line per event in development or on a terminal (LEASH_LOG_FORMAT=json|pretty overrides), levels
// (LEASH_LOG_LEVEL, default info), the request id on every line logged while a request is handled
// (lib/log/request-context.ts), and secrets kept out: known secret-bearing fields are replaced
// (REDACTED_FIELDS, also one level down, e.g. `headers.authorization`), and Leash tokens, JWTs and
// `Bearer`/`DPoP`/`Basic` credentials are masked inside any message or error text (maskSecrets).
// Info and debug go to stdout, warnings and errors to stderr. Destinations cannot take the server
// down (lib/log/destination.ts). One logger per process, on globalThis: the Next bundle and the
// fast path are two module instances and must share its destinations.
import pino, { type Logger } from 'pino';
import { currentRequestId } from '@/lib/log/request-context';
import { fileDescriptorDestination, memoryDestination, type LogDestination } from '@/lib/log/destination';
import { prettyLine } from '@/lib/log/pretty';

/** Fields whose values never reach a log line, whatever logs them. */
export const REDACTED_FIELDS = [
  'authorization',
  'dpop',
  'cookie',
  'set-cookie',
  'password',
  'currentPassword',
  'newPassword',
  'secret',
  'client_secret',
  'clientSecret',
  'client_assertion',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'subject_token',
  'actor_token',
  'login_hint_token',
  'code',
  'code_verifier',
  'device_code',
  'user_code',
  'auth_req_id',
  'totp',
  'otp',
  'privateKey',
  'private_key',
];

const SECRET_PATTERNS: [RegExp, string][] = [
  // Leash's opaque credentials (lib/tokens/opaque-token.ts): keep the kind, drop the secret.
  [/\b(lsh_[a-z]{2,3}_)[A-Za-z0-9]+/g, '$1[redacted]'],
  // A JWT (access token, assertion, DPoP proof, id token).
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[redacted jwt]'],
  // An Authorization header's credentials quoted in a message.
  [/\b(Bearer|DPoP|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
];

/** The text with every credential it quotes masked. */
export function maskSecrets(text: string): string {
  let masked = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) masked = masked.replace(pattern, replacement);
  return masked;
}

const REDACTED = new Set<string>(REDACTED_FIELDS);
const CENSOR = '[redacted]';

/**
 * The logged object with every secret-bearing field's value replaced, at the top and one level
 * down (`headers.authorization`, `body.code`); errors are left to their serializer, which does the
 * same to the fields it copies. Nothing the caller passed is changed: what has a field to hide is
 * copied. (pino's own `redact` did this with wildcard paths at 17 µs a line, most of what an
 * access-log line cost; issue 16 §5, docs/performance.md.)
 */
export function redactFields(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    const hidden = REDACTED.has(key) ? CENSOR : value !== null && typeof value === 'object' && !(value instanceof Error) ? redactTopLevel(value) : value;
    if (hidden !== value) (copy ??= { ...object })[key] = hidden;
  }
  return copy ?? object;
}

function redactTopLevel(value: object): unknown {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    if (REDACTED.has(key)) (copy ??= (Array.isArray(value) ? [...value] : { ...value }) as Record<string, unknown>)[key] = CENSOR;
  }
  return copy ?? value;
}

type Destinations = { out: LogDestination; err: LogDestination };

export type LoggerOptions = { level?: string; format?: 'json' | 'pretty'; destinations?: Destinations };

export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? defaultFormat();
  const destinations = options.destinations ?? { out: fileDescriptorDestination(1), err: fileDescriptorDestination(2) };
  const shape = (destination: LogDestination) => (format === 'pretty' ? { write: (line: string) => destination.write(prettyLine(line)) } : destination);
  const out = shape(destinations.out);
  const streams = pino.multistream(
    [
      { level: 'trace', stream: out },
      { level: 'warn', stream: shape(destinations.err) },
    ],
    // Each line to one destination only: the highest whose level it reaches.
    { dedupe: true },
  );
  const logger = pino(
    {
      level: options.level ?? knownLevel(process.env.LEASH_LOG_LEVEL),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: redactFields },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { request_id: requestId } : {};
      },
      serializers: { err: serializeError, error: serializeError },
      hooks: {
        // Messages may quote what a client sent: mask credentials in every string argument.
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskSecrets(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    streams,
  );
  holder.leashLogDestinations = destinations;
  holder.leashInfoLines = out;
  return logger;
}

/** LEASH_LOG_LEVEL when it names a level (lib/config/config.ts refuses to start otherwise), else info. */
function knownLevel(level: string | undefined): string {
  return level && level in pino.levels.values ? level : level === 'silent' ? 'silent' : 'info';
}

/** LEASH_LOG_FORMAT when set; else JSON in production unless a person reads the terminal. */
function defaultFormat(): 'json' | 'pretty' {
  const chosen = process.env.LEASH_LOG_FORMAT;
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  return process.env.NODE_ENV === 'production' && !process.stdout.isTTY ? 'json' : 'pretty';
}

function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? maskSecrets(error) : error;
  const { code, ...fields } = pino.stdSerializers.err(error) as ReturnType<typeof pino.stdSerializers.err> & { code?: unknown };
  // The error's other own fields are copied by the serializer: a `token` or `password` among them is hidden too.
  const serialized = redactFields(fields) as typeof fields;
  return {
    ...serialized,
    message: maskSecrets(serialized.message),
    stack: serialized.stack ? maskSecrets(serialized.stack) : undefined,
    // An error's code (a SQLSTATE, ECONNRESET, P2028) is for the operator: not the `code` field
    // redaction is about (an authorization code), so it is logged under another name.
    ...(code === undefined ? {} : { error_code: code }),
  };
}

const holder = globalThis as typeof globalThis & { leashLogger?: Logger; leashLogDestinations?: Destinations; leashInfoLines?: { write(line: string): unknown } };

/** The process's logger, or a child of it naming the part of Leash that logs (`component`). */
export function log(component?: string): Logger {
  holder.leashLogger ??= createLogger();
  return component ? holder.leashLogger.child({ component }) : holder.leashLogger;
}

/** What an access-log line says about one answered request (server/serve.ts). */
export type AccessLogFields = { request_id: string; method: string | undefined; path: string; status: number; duration_ms: number; aborted?: true };

/**
 * Writes the access-log line of one answered request: the line `log('http').info(fields,
 * 'request')` writes, to the same destination, in the same format and only when info is logged,
 * without pino's per-line work (the child's bindings, the mixin, the hooks, the formatters, the
 * multistream): 3.7 against 1.9 µs a line in a loop, and about 20 µs of server CPU per request
 * in the bench (docs/performance.md §5). Its fields are fixed and carry no
 * secret (the path without its query), so they need no redaction or masking (issue 16 §5;
 * logger.test.ts holds the two lines equal).
 */
export function logRequest(fields: AccessLogFields): void {
  const logger = log();
  if (!logger.isLevelEnabled('info')) return;
  const lines = holder.leashInfoLines;
  // A logger made by an older version of this module (a development server's reload) left none.
  if (!lines) return void logger.child({ component: 'http' }).info(fields, 'request');
  const json = JSON.stringify(fields);
  lines.write(`{"level":"info","time":"${new Date().toISOString()}","pid":${process.pid},"component":"http",${json.slice(1, -1)},"msg":"request"}\n`);
}

/** Writes what waits for the destinations (shutdown). */
export function flushLogs(): void {
  holder.leashLogDestinations?.out.flush();
  holder.leashLogDestinations?.err.flush();
}

/** Lines lost because a destination was gone or too slow. */
export function droppedLogLines(): number {
  return (holder.leashLogDestinations?.out.dropped ?? 0) + (holder.leashLogDestinations?.err.dropped ?? 0);
}

/** Sends the process's log lines to memory until `restore()` (tests that assert what was logged). */
export function captureLogs(options: Pick<LoggerOptions, 'level' | 'format'> = {}): { entries: () => Record<string, unknown>[]; lines: () => string[]; restore: () => void } {
  const previous = { logger: holder.leashLogger, destinations: holder.leashLogDestinations, infoLines: holder.leashInfoLines };
  const out = memoryDestination();
  const err = memoryDestination();
  holder.leashLogger = createLogger({ level: options.level ?? 'debug', format: options.format ?? 'json', destinations: { out, err } });
  return {
    entries: () => out.lines.concat(err.lines).map((line) => JSON.parse(line) as Record<string, unknown>),
    lines: () => out.lines.concat(err.lines),
    restore: () => {
      holder.leashLogger = previous.logger;
      holder.leashLogDestinations = previous.destinations;
      holder.leashInfoLines = previous.infoLines;
    },
  };
}
