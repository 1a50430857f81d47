// The emitter's contract: listeners of an event all run, a failing one is logged and neither stops
// the others nor fails the emitter, and an event nobody listens to costs nothing.
import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './typed-emitter';
import { captureLogs } from '@/lib/log/logger';

type Events = { 'thing.happened': { id: string }; 'other.thing': { n: number } };

describe('TypedEmitter', () => {
  it('runs every listener of the event, and only of that event', async () => {
    const emitter = new TypedEmitter<Events>('test');
    const seen: string[] = [];
    emitter.on('thing.happened', ({ id }) => void seen.push(`a:${id}`));
    emitter.on('thing.happened', async ({ id }) => void seen.push(`b:${id}`));
    emitter.on('other.thing', ({ n }) => void seen.push(`other:${n}`));
    await emitter.emit('thing.happened', { id: '1' });
    expect(seen.sort()).toEqual(['a:1', 'b:1']);
  });

  it('logs a failing listener (thrown or rejected) and still runs the others, without rejecting', async () => {
    const emitter = new TypedEmitter<Events>('test');
    const logs = captureLogs();
    const seen: number[] = [];
    emitter.on('other.thing', () => {
      throw new Error('sync');
    });
    emitter.on('other.thing', async () => Promise.reject(new Error('async')));
    emitter.on('other.thing', ({ n }) => void seen.push(n));
    await expect(emitter.emit('other.thing', { n: 7 })).resolves.toBeUndefined();
    expect(seen).toEqual([7]);
    logs.restore();
    expect(logs.entries()).toHaveLength(2);
    expect(logs.entries()[0]).toMatchObject({ level: 'error', component: 'test', msg: 'listener failed', event: 'other.thing', err: { message: 'sync' } });
    expect(logs.entries()[1]).toMatchObject({ err: { message: 'async' } });
  });

  it('waits for the listeners that return a promise, and makes no promise of its own when none does', async () => {
    const emitter = new TypedEmitter<Events>('test');
    const seen: string[] = [];
    emitter.on('other.thing', ({ n }) => void seen.push(`sync:${n}`));
    // Only synchronous listeners: they have run when emit returns, and it returns the one settled promise.
    const first = emitter.emit('other.thing', { n: 1 });
    expect(seen).toEqual(['sync:1']);
    expect(emitter.emit('other.thing', { n: 2 })).toBe(first);
    expect(emitter.emit('thing.happened', { id: 'nobody listens' })).toBe(first);
    let finish!: () => void;
    emitter.on('thing.happened', () => new Promise<void>((resolve) => (finish = resolve)).then(() => void seen.push('async done')));
    let settled = false;
    const waiting = emitter.emit('thing.happened', { id: 'x' }).then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    finish();
    await waiting;
    expect(seen).toEqual(['sync:1', 'sync:2', 'async done']);
  });

  it('removes a listener, and emits to nobody quietly', async () => {
    const emitter = new TypedEmitter<Events>('test');
    const seen: string[] = [];
    const off = emitter.on('thing.happened', ({ id }) => void seen.push(id));
    off();
    await emitter.emit('thing.happened', { id: 'x' });
    await emitter.emit('other.thing', { n: 1 });
    expect(seen).toEqual([]);
  });
});
