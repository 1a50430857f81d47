import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './is-database-unavailable';

describe('isDatabaseUnavailable', () => {
  it('recognises refused, dropped and shut-down connections, also as a cause or a driver adapter error', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('Invalid invocation'), { meta: { driverAdapterError: new Error('timeout exceeded when trying to connect') } }))).toBe(true);
  });

  it('recognises a read-only database, a statement or lock timeout and a full server, by SQLSTATE as pg and Prisma’s driver adapter report them', () => {
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });
    expect(isDatabaseUnavailable(pgError('25006', 'cannot execute INSERT in a read-only transaction'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('57014', 'canceling statement due to statement timeout'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('55P03', 'canceling statement due to lock timeout'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('53300', 'sorry, too many clients already'))).toBe(true);
    // @prisma/adapter-pg: a DriverAdapterError whose cause is the mapped error, with the SQLSTATE as
    // `code` (kind "postgres") or only as `originalCode` (kinds of its own).
    const adapterError = (cause: Record<string, unknown>) => Object.assign(new Error('DriverAdapterError'), { cause });
    expect(isDatabaseUnavailable({ meta: { driverAdapterError: adapterError({ kind: 'postgres', code: '25006', message: 'x' }) } })).toBe(true);
    expect(isDatabaseUnavailable({ meta: { driverAdapterError: adapterError({ kind: 'TooManyConnections', originalCode: '53300' }) } })).toBe(true);
    expect(isDatabaseUnavailable(adapterError({ kind: 'postgres', code: '57014', message: 'canceling statement due to statement timeout' }))).toBe(true);
    // Prisma's interactive transaction that could not start, or ran out of time, on a slow database.
    expect(isDatabaseUnavailable(Object.assign(new Error('Transaction API error: Unable to start a transaction in the given time.'), { code: 'P2028' }))).toBe(true);
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error('Transaction API error: Transaction already closed: A commit cannot be executed on an expired transaction. The timeout for this transaction was 5000 ms'), {
          code: 'P2028',
        }),
      ),
    ).toBe(true);
  });

  it('does not take a bug for an outage', () => {
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('null value in column "id" violates not-null constraint'), { code: '23502' }))).toBe(false);
    expect(isDatabaseUnavailable({ meta: { driverAdapterError: { cause: { kind: 'UniqueConstraintViolation', originalCode: '23505' } } } })).toBe(false);
    // A serialization failure is a conflict the code handles, not an outage.
    expect(isDatabaseUnavailable(Object.assign(new Error('could not serialize access'), { code: '40001' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('Transaction API error: Transaction already closed: A query cannot be executed on a committed transaction.'), { code: 'P2028' }))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
