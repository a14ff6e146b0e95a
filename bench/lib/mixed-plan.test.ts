import { describe, expect, it } from 'vitest';
import { countKinds, mixedPlan } from './mixed-plan.js';

describe('mixedPlan', () => {
  it('mixes 70% IMAGE, 20% GIF, 10% VIDEO in every block of ten', () => {
    const jobs = mixedPlan(200, { sourceSeconds: 600, gifSeconds: 6, clipSeconds: 10.5 });
    expect(countKinds(jobs)).toEqual({ image: 140, gif: 40, video: 20 });
    expect(countKinds(mixedPlan(40, { sourceSeconds: 40, gifSeconds: 3, clipSeconds: 4.5 }))).toEqual({ image: 28, gif: 8, video: 4 });
    for (let b = 0; b < 200; b += 10) expect(countKinds(jobs.slice(b, b + 10))).toEqual({ image: 7, gif: 2, video: 1 });
  });

  it('keeps every range inside the source with a GOP to spare, off keyframes', () => {
    for (const [sourceSeconds, gifSeconds, clipSeconds] of [[600, 6, 10.5], [40, 3, 4.5]] as const) {
      const jobs = mixedPlan(200, { sourceSeconds, gifSeconds, clipSeconds });
      for (const j of jobs) {
        expect(j.start).toBeGreaterThanOrEqual(0.25);
        expect(j.end).toBeLessThanOrEqual(sourceSeconds - 2 + 0.25 + 1e-9);
        expect(j.end - j.start).toBeCloseTo(j.kind === 'image' ? 0 : j.kind === 'gif' ? gifSeconds : clipSeconds);
      }
      // Spread: not the same few times over and over.
      expect(new Set(jobs.map((j) => Math.round(j.start))).size).toBeGreaterThan(Math.min(30, sourceSeconds / 2));
    }
  });

  it('refuses a range that does not fit the source', () => {
    expect(() => mixedPlan(10, { sourceSeconds: 8, gifSeconds: 3, clipSeconds: 6 })).toThrow(/does not fit/);
  });
});
