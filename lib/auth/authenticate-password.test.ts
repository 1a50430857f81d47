// Integration tests on the real test database (no mocks).
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { authenticatePassword } from './authenticate-password';
import { createAccount } from './create-account';
import { closeDb, db } from '@/lib/db/client';

afterAll(closeDb);

const password = 'a-long-enough-passphrase';
const email = (label: string) => `${label}-${crypto.randomBytes(4).toString('hex')}@example.test`;
const ip = () => `192.0.2.${crypto.randomInt(1, 255)}-${crypto.randomBytes(3).toString('hex')}`;

describe('createAccount', () => {
  it('stores a normalised email and an argon2id hash, never the password', async () => {
    const address = email('Create');
    const result = await createAccount({ email: ` ${address.toUpperCase()} `, password, name: ' Ada ' });
    expect(result.ok).toBe(true);
    const row = await db().user.findUniqueOrThrow({ where: { email: address.toLowerCase() } });
    expect(row.name).toBe('Ada');
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(password);
  });

  it('lets exactly one of many concurrent sign-ups for one email win', async () => {
    const address = email('race');
    const results = await Promise.all(Array.from({ length: 5 }, () => createAccount({ email: address, password })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'email_taken')).toHaveLength(4);
    expect(await db().user.count({ where: { email: address } })).toBe(1);
  });

  it('reports invalid fields and writes nothing', async () => {
    const result = await createAccount({ email: 'nope', password: 'short' });
    expect(result).toEqual({
      ok: false,
      reason: 'invalid',
      fieldErrors: { email: ['Enter a valid email address'], password: ['Use at least 12 characters'] },
    });
  });
});

describe('authenticatePassword', () => {
  it('accepts the right password, case-insensitively on the email', async () => {
    const address = email('ok');
    await createAccount({ email: address, password });
    const result = await authenticatePassword({ email: address.toUpperCase(), password, ip: ip() });
    expect(result).toEqual({ ok: true, user: { id: expect.any(String), email: address, name: null, role: 'USER' } });
  });

  it('gives the same answer for a wrong password, an unknown email and malformed input', async () => {
    const address = email('generic');
    await createAccount({ email: address, password });
    const from = ip();
    expect(await authenticatePassword({ email: address, password: 'wrong-password!', ip: from })).toEqual({ ok: false, reason: 'invalid' });
    expect(await authenticatePassword({ email: email('ghost'), password, ip: from })).toEqual({ ok: false, reason: 'invalid' });
    expect(await authenticatePassword({ email: { $ne: null }, password: ['x'], ip: from })).toEqual({ ok: false, reason: 'invalid' });
  });

  it('locks the account after 5 failures until the window passes, and a success resets the count', async () => {
    const address = email('lock');
    await createAccount({ email: address, password });
    for (let i = 0; i < 4; i++) await authenticatePassword({ email: address, password: 'wrong-password!', ip: ip() });
    expect((await authenticatePassword({ email: address, password, ip: ip() })).ok).toBe(true);
    for (let i = 0; i < 5; i++) await authenticatePassword({ email: address, password: 'wrong-password!', ip: ip() });
    const locked = await authenticatePassword({ email: address, password, ip: ip() });
    expect(locked).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    if (locked.ok || locked.reason !== 'rate_limited') throw new Error('unreachable');
    expect(locked.retryAfterSeconds).toBeGreaterThan(880);
    expect(locked.retryAfterSeconds).toBeLessThanOrEqual(900);
  });

  it('blocks an IP after 20 failures across accounts', async () => {
    const from = ip();
    const address = email('ip');
    await createAccount({ email: address, password });
    for (let i = 0; i < 20; i++) await authenticatePassword({ email: email('spray'), password, ip: from });
    expect((await authenticatePassword({ email: address, password, ip: from })).ok).toBe(false);
    expect((await authenticatePassword({ email: address, password, ip: ip() })).ok).toBe(true);
  });

  it('tells a suspended user so only after the right password', async () => {
    const address = email('suspended');
    await createAccount({ email: address, password });
    await db().user.update({ where: { email: address }, data: { status: 'SUSPENDED' } });
    expect(await authenticatePassword({ email: address, password: 'wrong-password!', ip: ip() })).toEqual({ ok: false, reason: 'invalid' });
    expect(await authenticatePassword({ email: address, password, ip: ip() })).toEqual({ ok: false, reason: 'suspended' });
  });
});
