import { describe, expect, it } from 'vitest';
import { judge, targetTable, targetText, targetValue } from './targets.js';

describe('targets', () => {
  it('prints each target from its checks', () => {
    expect(targetText('B3')).toBe('≤ 0.08×, exact frames');
    expect(targetText('B2h')).toBe('≤ 1.3×');
    expect(targetText('B6')).toBe('GET ≥ 4,000 req/s, list ≥ 2,000 req/s, GET p99 < 50 ms, list p99 < 50 ms, no errors');
    expect(targetText('B10')).toBe('throughput ≥ 0.85×, none lost');
    expect(targetText('B7')).toBe('report');
    expect(targetTable().B1).toBe('≤ 1.1×');
  });

  it('judges "at most" checks on the boundary as met and just past it as missed', () => {
    expect(judge('B2', { ratio: 1.25 }).met).toBe(true);
    expect(judge('B2', { ratio: 1.2501 }).met).toBe(false);
    expect(judge('B2', { ratio: 1 }).score).toBeCloseTo(0.8);
  });

  it('needs every check of a compound target', () => {
    const fast = { getRps: 5000, listRps: 2500, getP99Ms: 20, listP99Ms: 49, clean: true };
    expect(judge('B6', fast)).toMatchObject({ met: true, score: 0.98 });
    // p99 is strictly below 50 ms.
    expect(judge('B6', { ...fast, listP99Ms: 50 }).met).toBe(false);
    const slowList = judge('B6', { ...fast, listRps: 1000 });
    expect(slowList.met).toBe(false);
    expect(slowList.score).toBe(2);
    expect(slowList.checks.filter((c) => !c.met).map((c) => c.key)).toEqual(['listRps']);
    expect(judge('B6', { ...fast, clean: false })).toMatchObject({ met: false, score: 2 });
  });

  it('does not let a fast but inexact or lossy run pass', () => {
    expect(judge('B3', { ratio: 0.05, exact: false }).met).toBe(false);
    expect(judge('B3', { ratio: 0.05, exact: true }).met).toBe(true);
    expect(judge('B10', { throughputRatio: 0.9, noneLost: false }).met).toBe(false);
    expect(judge('B10', { throughputRatio: 0.84, noneLost: true }).met).toBe(false);
    expect(judge('B10', { throughputRatio: 0.85, noneLost: true }).met).toBe(true);
  });

  it('misses a check whose value is missing or not a number', () => {
    const j = judge('B9', { maxMs: NaN, allSeen: true });
    expect(j.met).toBe(false);
    expect(j.score).toBe(Infinity);
    expect(judge('B11', {}).checks).toEqual([{ key: 'p95Ms', text: 'p95 ≤ 3,000 ms', measured: null, met: false }]);
  });

  it('reports without judging where the target is "report"', () => {
    expect(judge('G1', { ratio: 9 })).toEqual({ met: null, score: null, checks: [] });
  });

  it('holds round two of issue #16', () => {
    const v = targetValue;
    expect([v('B1', 'ratio'), v('B2', 'ratio'), v('B2h', 'ratio'), v('B3', 'ratio'), v('B4', 'ratio')]).toEqual([1.1, 1.25, 1.3, 0.08, 2]);
    expect([v('B6', 'getRps'), v('B6', 'listRps'), v('B9', 'maxMs'), v('B10', 'throughputRatio')]).toEqual([4000, 2000, 1000, 0.85]);
    expect(() => v('B3', 'exact')).toThrow(/no numeric target B3.exact/);
  });
});
