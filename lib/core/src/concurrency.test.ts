import { describe, expect, it } from 'vitest';
import { pool } from './concurrency.js';

describe('pool', () => {
  it('keeps index order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await pool(20, 4, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, (20 - i) % 3));
      running--;
      return i * 2;
    });
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(peak).toBe(4);
  });
  it('after a failure starts nothing new and rejects only when the calls in flight have settled', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const batch = pool(10, 3, async (i) => {
      started.push(i);
      await new Promise((r) => setTimeout(r, i === 1 ? 1 : 30));
      settled.push(i);
      if (i === 1) throw new Error('part 1 failed');
      return i;
    });
    await expect(batch).rejects.toThrow('part 1 failed');
    expect(started).toEqual([0, 1, 2]);
    expect(settled.sort()).toEqual([0, 1, 2]);
  });
  it('runs nothing for an empty batch', async () => {
    expect(await pool(0, 8, async () => 1)).toEqual([]);
  });
});
