import { describe, expect, it } from 'vitest';
import { SharedReads, Watch } from './asset-changes.js';

describe('Watch', () => {
  it('keeps a change that arrives between waits, so a stream never misses one', async () => {
    const w = new Watch(() => undefined);
    w.poke();
    const t0 = Date.now();
    expect(await w.next(10_000, new AbortController().signal)).toBe(true);
    expect(Date.now() - t0, 'returned at once, not at the timeout').toBeLessThan(1_000);
    // Taken: the next wait times out with no change.
    expect(await w.next(20, new AbortController().signal)).toBe(false);
  });
  it('wakes a waiting stream at once on a change, and on abort or close', async () => {
    const w = new Watch(() => undefined);
    const t0 = Date.now();
    const waiting = w.next(10_000, new AbortController().signal);
    setTimeout(() => w.poke(), 10);
    expect(await waiting).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5_000);
    const ac = new AbortController();
    const aborted = w.next(10_000, ac.signal);
    ac.abort();
    expect(await aborted).toBe(false);
    let closed = 0;
    const w2 = new Watch(() => closed++);
    const pending = w2.next(10_000, new AbortController().signal);
    w2.close();
    expect(await pending).toBe(false);
    expect(closed).toBe(1);
  });
});

describe('SharedReads', () => {
  it('reads a key once per period however many ask', async () => {
    let loads = 0;
    const reads = new SharedReads<number>(50);
    const load = async () => ++loads;
    expect(await Promise.all([reads.get('a', load), reads.get('a', load), reads.get('a', load)])).toEqual([1, 1, 1]);
    expect(await reads.get('b', load)).toBe(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(await reads.get('a', load)).toBe(3);
  });
});
