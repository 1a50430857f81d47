import { describe, expect, it } from 'vitest';
import { curlMethod } from './curl-method';

describe('curlMethod (the htm of the proof leash curl signs)', () => {
  it.each([
    [[], 'GET'],
    [['-sS'], 'GET'],
    [['-d', '{}'], 'POST'],
    [['--json', '{}'], 'POST'],
    [['-dx=1'], 'POST'],
    [['-F', 'a=b'], 'POST'],
    [['-X', 'patch', '-d', '{}'], 'PATCH'],
    [['-XDELETE'], 'DELETE'],
    [['--request', 'PUT'], 'PUT'],
    [['-I'], 'HEAD'],
    [['-d', 'q=1', '-G'], 'GET'],
  ])('%j → %s', (args, method) => {
    expect(curlMethod(args)).toBe(method);
  });
});
