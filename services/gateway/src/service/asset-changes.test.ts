import { describe, expect, it } from 'vitest';
import { SharedReads, sharedRunAfterCall, Watch } from './asset-changes.js';

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

describe('sharedRunAfterCall (the read fence)', () => {
  /** A run that finishes when told, numbered in start order. */
  function runs() {
    const started: { n: number; finish: () => void }[] = [];
    const start = () =>
      new Promise<number>((resolve) => {
        const n = started.length + 1;
        started.push({ n, finish: () => resolve(n) });
      });
    return { started, start };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it('gives every caller a run that began after its call, sharing runs among callers', async () => {
    const { started, start } = runs();
    const fence = sharedRunAfterCall(start);
    const a = fence();
    expect(started.length).toBe(1);
    // Called while run 1 is in flight: run 1 began before these calls, so they must not get it.
    const b = fence();
    const c = fence();
    expect(started.length, 'the next run waits for the one in flight').toBe(1);
    started[0]!.finish();
    expect(await a).toBe(1);
    await tick();
    expect(started.length, 'one run for both waiting callers').toBe(2);
    started[1]!.finish();
    expect(await b).toBe(2);
    expect(await c).toBe(2);
    // Idle again: a call starts its own run at once.
    const d = fence();
    expect(started.length).toBe(3);
    started[2]!.finish();
    expect(await d).toBe(3);
  });

  it('a failed run fails its callers, and the next caller gets a fresh run', async () => {
    let n = 0;
    const fence = sharedRunAfterCall(() => (++n === 1 ? Promise.reject(new Error('lost')) : Promise.resolve(n)));
    const a = fence();
    const b = fence();
    await expect(a).rejects.toThrow('lost');
    expect(await b).toBe(2);
    expect(await fence()).toBe(3);
  });
});
