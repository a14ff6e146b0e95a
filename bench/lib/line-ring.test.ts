import { describe, expect, it } from 'vitest';
import { LineRing } from './line-ring.js';

describe('LineRing', () => {
  it('keeps every line, oldest first, until it is full', () => {
    const ring = new LineRing(3);
    expect(ring.lines()).toEqual([]);
    ring.push('a');
    ring.push('b');
    expect(ring.size).toBe(2);
    expect(ring.lines()).toEqual(['a', 'b']);
  });

  it('then keeps the last `capacity` lines, oldest first', () => {
    const ring = new LineRing(3);
    for (const l of ['a', 'b', 'c', 'd', 'e']) ring.push(l);
    expect(ring.size).toBe(3);
    expect(ring.lines()).toEqual(['c', 'd', 'e']);
    ring.push('f');
    ring.push('g');
    ring.push('h');
    expect(ring.lines()).toEqual(['f', 'g', 'h']);
  });

  it('refuses a capacity below one', () => {
    expect(() => new LineRing(0)).toThrow();
  });
});
