import { describe, expect, it } from 'vitest';
import { captureLogs, createLogger, log, logRequest, maskSecrets, type AccessLogFields } from '@/lib/log/logger';
import { memoryDestination } from '@/lib/log/destination';
import { withRequestContext } from '@/lib/log/request-context';

function capture(format: 'json' | 'pretty' = 'json') {
  const out = memoryDestination();
  const err = memoryDestination();
  const logger = createLogger({ level: 'debug', format, destinations: { out, err } });
  const entries = () => out.lines.concat(err.lines).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, out, err, entries };
}

describe('the logger', () => {
  it('writes one JSON line per event with level, time, component and message; info to stdout, warnings and errors to stderr', () => {
    const { logger, out, err } = capture();
    logger.child({ component: 'oauth' }).info('token issued');
    logger.child({ component: 'db' }).error('pool lost');
    expect(out.lines).toHaveLength(1);
    expect(err.lines).toHaveLength(1);
    expect(JSON.parse(out.lines[0]!)).toMatchObject({ level: 'info', component: 'oauth', msg: 'token issued', pid: process.pid });
    expect(JSON.parse(out.lines[0]!).time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(JSON.parse(err.lines[0]!)).toMatchObject({ level: 'error', component: 'db', msg: 'pool lost' });
  });

  it('puts the request id on every line logged while a request is handled, and none outside', () => {
    const { logger, entries } = capture();
    withRequestContext('0193c6a0-0000-7000-8000-000000000001', () => logger.info('inside'));
    logger.info('outside');
    const [inside, outside] = entries();
    expect(inside).toMatchObject({ msg: 'inside', request_id: '0193c6a0-0000-7000-8000-000000000001' });
    expect(outside).not.toHaveProperty('request_id');
  });

  it('redacts secret-bearing fields, at the top and one level down (Authorization and DPoP headers, passwords, codes, tokens)', () => {
    const { logger, entries } = capture();
    logger.info(
      {
        headers: { authorization: 'DPoP abc', dpop: 'eyJhbGciOi.x.y', cookie: 'session=1', host: 'leash.example' },
        password: 'hunter2hunter2',
        body: { code: 'lsh_ac_123', code_verifier: 'v', client_secret: 's', refresh_token: 'r', user_code: 'ABCD-EFGH' },
        client_id: 'agent-1',
      },
      'request',
    );
    const [entry] = entries();
    expect(entry).toMatchObject({
      headers: { authorization: '[redacted]', dpop: '[redacted]', cookie: '[redacted]', host: 'leash.example' },
      password: '[redacted]',
      body: { code: '[redacted]', code_verifier: '[redacted]', client_secret: '[redacted]', refresh_token: '[redacted]', user_code: '[redacted]' },
      client_id: 'agent-1',
    });
  });

  it('hides secret fields an error carries, leaves what the caller logged unchanged, and leaves deeper or look-alike fields alone', () => {
    const { logger, entries } = capture();
    const headers = { authorization: 'Bearer abc', accept: 'application/json' };
    const logged = { headers, token: 'lsh_at_x', items: [{ token: 'kept: two levels down' }], tokens: 3, nested: { deeper: { password: 'p' } } };
    const error = Object.assign(new Error('refused'), { client_secret: 'lsh_cs_abc', status: 401 });
    logger.warn({ ...logged, err: error }, 'refused');
    expect(entries()[0]).toMatchObject({
      headers: { authorization: '[redacted]', accept: 'application/json' },
      token: '[redacted]',
      items: [{ token: 'kept: two levels down' }],
      tokens: 3,
      nested: { deeper: { password: 'p' } },
      err: { client_secret: '[redacted]', status: 401, message: 'refused' },
    });
    // What the caller logged is as it was.
    expect(headers.authorization).toBe('Bearer abc');
    expect(logged.token).toBe('lsh_at_x');
    expect(error.client_secret).toBe('lsh_cs_abc');
  });

  it('masks credentials quoted inside messages and error texts', () => {
    const { logger, entries } = capture();
    const token = 'lsh_at_4kTq9ZrW2mXy7Pb1Lc8Vn3Hd5Jf6Gs0a';
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';
    logger.warn(`refused ${token} sent as Bearer ${token}`);
    logger.error({ err: new Error(`bad assertion ${jwt}`) }, 'failed');
    const text = JSON.stringify(entries());
    expect(text).not.toContain(token.slice(7));
    expect(text).not.toContain(jwt);
    expect(text).toContain('lsh_at_[redacted]');
    expect(text).toContain('[redacted jwt]');
    expect(entries()[1]).toMatchObject({ err: { type: 'Error', message: 'bad assertion [redacted jwt]' } });
  });

  it("keeps an error's own code (a SQLSTATE, a system error) as error_code, while a `code` field is still redacted", () => {
    const { logger, entries } = capture();
    const error = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    logger.error({ err: error, body: { code: 'lsh_ac_secret' } }, 'connection lost');
    expect(entries()[0]).toMatchObject({ err: { error_code: '57P01' }, body: { code: '[redacted]' } });
    expect(entries()[0]!.err).not.toHaveProperty('code');
  });

  it('masks Authorization credentials in free text but leaves ordinary words alone', () => {
    expect(maskSecrets('Authorization: Basic YWdlbnQ6c2VjcmV0LXZhbHVl')).toBe('Authorization: Basic [redacted]');
    expect(maskSecrets('the DPoP proof was replayed')).toBe('the DPoP proof was replayed');
  });

  it('writes one readable line per event in the development format', () => {
    const { logger, out } = capture('pretty');
    logger.child({ component: 'cache' }).info({ channel: 'tokens' }, 'listening');
    expect(out.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  \[cache\] listening {2}channel=tokens\n$/);
  });

  describe("the access log's own writer", () => {
    const fields: AccessLogFields = { request_id: '0193c6a0-0000-7000-8000-000000000002', method: 'POST', path: '/oauth/introspect', status: 200, duration_ms: 1.3 };
    // The line the writer makes, and pino's line for the same request, the time apart.
    const both = (options: Parameters<typeof captureLogs>[0], logged: AccessLogFields = fields) => {
      const captured = captureLogs(options);
      try {
        // pino's mixin adds the context's request id (the same one): the writer's line must not differ when the context is set.
        withRequestContext(logged.request_id, () => log('http').info(logged, 'request'));
        logRequest(logged);
        return captured.lines().map((line) => line.replace(/"time":"[^"]+"|^\d\d:\d\d:\d\d\.\d{3}/, '<time>'));
      } finally {
        captured.restore();
      }
    };

    it("writes pino's own JSON line for the request, to the info destination", () => {
      const [pinos, ours] = both({ format: 'json' });
      expect(ours).toBe(pinos);
      expect(JSON.parse(ours!.replace('<time>', '"time":"x"'))).toEqual({ level: 'info', time: 'x', pid: process.pid, component: 'http', ...fields, msg: 'request' });
      // An aborted answer says so, as before.
      const [abortedPino, abortedOurs] = both({ format: 'json' }, { ...fields, status: 200, aborted: true });
      expect(abortedOurs).toBe(abortedPino);
      expect(abortedOurs).toContain('"aborted":true');
    });

    it('writes the readable line in the development format, and nothing when info is not logged', () => {
      const [pinos, ours] = both({ format: 'pretty' });
      expect(ours).toBe(pinos);
      expect(ours).toMatch(/^<time> INFO {2}\[http\] request {2}request_id=\S+ method=POST path=\/oauth\/introspect status=200 duration_ms=1.3\n$/);
      expect(both({ level: 'warn' })).toEqual([]);
    });

    it("falls back to pino's own line when the logger was made without the writer's destination (a reloaded module's logger)", () => {
      const captured = captureLogs();
      const holder = globalThis as { leashInfoLines?: unknown };
      const kept = holder.leashInfoLines;
      try {
        delete holder.leashInfoLines;
        logRequest(fields);
        expect(captured.entries()).toEqual([expect.objectContaining({ level: 'info', component: 'http', ...fields, msg: 'request' })]);
      } finally {
        holder.leashInfoLines = kept;
        captured.restore();
      }
    });

    it("keeps a path's text a valid JSON string, whatever it holds", () => {
      const odd = { ...fields, path: '/api/v1/"quoted"\\back\nline\u2028' };
      const [pinos, ours] = both({ format: 'json' }, odd);
      expect(ours).toBe(pinos);
      expect(JSON.parse(ours!.replace('<time>', '"time":"x"')).path).toBe(odd.path);
    });
  });
});
