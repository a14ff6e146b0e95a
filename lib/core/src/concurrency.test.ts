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
  it('runs nothing for an empty batch', async () => {
    expect(await pool(0, 8, async () => 1)).toEqual([]);
  });
});
