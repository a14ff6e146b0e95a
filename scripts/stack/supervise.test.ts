import { describe, expect, it } from 'vitest';
import { describeExit, isUnexpectedExit, nextRestartDelay } from './supervise.js';

describe('nextRestartDelay', () => {
  it('doubles from 0.5 s to 30 s and starts over after a minute up', () => {
    const delays: number[] = [];
    let d: number | null = null;
    for (let i = 0; i < 9; i++) delays.push((d = nextRestartDelay(d, 1_000)));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(nextRestartDelay(30_000, 60_000)).toBe(500);
    expect(nextRestartDelay(30_000, 59_999)).toBe(30_000);
  });
});

describe('exits', () => {
  it('a signal or a non-zero code is unexpected; 0 is an orderly stop', () => {
    expect(isUnexpectedExit(null, 'SIGKILL')).toBe(true);
    expect(isUnexpectedExit(1, null)).toBe(true);
    expect(isUnexpectedExit(0, null)).toBe(false);
    expect(describeExit(null, 'SIGKILL')).toBe('was killed by SIGKILL');
    expect(describeExit(137, null)).toBe('exited with code 137');
  });
});
