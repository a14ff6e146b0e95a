import { describe, expect, it } from 'vitest';
import { ReadCache } from './read-cache.js';

/** A cache and the subscription's side: each change moves the generation, then tells the cache. */
function subscribed(limits?: { assets: number; lists: number }) {
  let generation = 0;
  const c = new ReadCache<string, string[]>(() => generation, limits);
  return {
    c,
    changed(id: string) {
      generation++;
      c.assetChanged(id);
    },
    cleared() {
      generation++;
      c.clear();
    },
  };
}

describe('ReadCache', () => {
  it('answers what it was given, until that asset changes', () => {
    const { c, changed } = subscribed();
    expect(c.getAsset('a', 0)).toBeUndefined();
    expect(c.setAsset('a', 'A1', c.generation())).toBe(true);
    expect(c.getAsset('a', 0)).toBe('A1');
    changed('b');
    expect(c.getAsset('a', 0), 'another asset changing leaves it').toBe('A1');
    changed('a');
    expect(c.getAsset('a', 0)).toBeUndefined();
    expect(c.stats()).toMatchObject({ hits: 2, misses: 2 });
  });

  it('refuses a value read before a change that arrived while the read ran', () => {
    const { c, changed } = subscribed();
    const before = c.generation();
    changed('a'); // the change's notification lands while the old row is on its way
    expect(c.setAsset('a', 'stale', before)).toBe(false);
    expect(c.getAsset('a', 0)).toBeUndefined();
    expect(c.setList('k', ['stale'], before)).toBe(false);
    expect(c.stats().refused).toBe(2);
    expect(c.setAsset('a', 'fresh', c.generation())).toBe(true);
  });

  it('drops every list page on any asset change, and everything on clear', () => {
    const { c, changed, cleared } = subscribed();
    c.setList('event 1', ['a'], c.generation());
    c.setList('event 2', ['b'], c.generation());
    c.setAsset('a', 'A', c.generation());
    changed('z'); // a new row may belong on either page
    expect(c.getList('event 1', 0)).toBeUndefined();
    expect(c.getList('event 2', 0)).toBeUndefined();
    expect(c.getAsset('a', 0)).toBe('A');
    c.setList('event 1', ['a'], c.generation());
    cleared();
    expect(c.getAsset('a', 0)).toBeUndefined();
    expect(c.getList('event 1', 0)).toBeUndefined();
  });

  it('stops answering with a value once it is no longer valid (a signed URL that moved on)', () => {
    const { c } = subscribed();
    c.setAsset('a', 'signed', c.generation(), 1_000);
    expect(c.getAsset('a', 999)).toBe('signed');
    expect(c.getAsset('a', 1_000)).toBeUndefined();
    expect(c.stats().assets, 'the expired entry is dropped').toBe(0);
  });

  it('stays within its bounds, dropping the oldest first', () => {
    const { c } = subscribed({ assets: 3, lists: 1 });
    for (const id of ['a', 'b', 'c', 'd']) c.setAsset(id, id.toUpperCase(), c.generation());
    expect(c.getAsset('a', 0)).toBeUndefined();
    expect(['b', 'c', 'd'].map((id) => c.getAsset(id, 0))).toEqual(['B', 'C', 'D']);
    c.setList('p1', ['x'], c.generation());
    c.setList('p2', ['y'], c.generation());
    expect(c.stats()).toMatchObject({ assets: 3, lists: 1 });
    expect(c.getList('p2', 0)).toEqual(['y']);
  });
});
