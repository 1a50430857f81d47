import { describe, expect, it } from 'vitest';
import { sleep } from './wait';

describe('sleep', () => {
  it('ends at once with the signal’s reason when aborted, before or during the wait', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('stopped by the user'));
    await expect(waiting).rejects.toThrow('stopped by the user');
    await expect(sleep(10, controller.signal)).rejects.toThrow('stopped by the user');
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});
