import { describe, expect, it } from 'vitest';
import { nextReadDelay } from './live-wait.js';

// A stream of 1 s segments whose edge is at 10 s; each segment shows 200 ms after its end.
const w = { edgeMs: 10_000, targetDurationSeconds: 1, lastSegmentSeconds: 1 };
const at = (nowMs: number, moved = true, lagMs = 200) => ({ nowMs, lagMs, moved });

describe('next playlist read', () => {
  it('aims just after the segment holding the needed instant is due', () => {
    // 10.4 s lies in the segment ending at 11 s, published at 11.2 s: read at 11.25 s.
    expect(nextReadDelay(w, 10_400, at(10_700))).toBe(550);
    // An instant on a boundary needs only the segment ending there.
    expect(nextReadDelay(w, 11_000, at(10_900))).toBe(350);
  });

  it('reads every 3/4 target duration while far away (stall detection, a drifting phase)', () => {
    expect(nextReadDelay(w, 60_000, at(10_200))).toBe(750);
    expect(nextReadDelay(w, 10_400, at(10_200))).toBe(750);
  });

  it('rereads an unchanged playlist no sooner than half a target duration', () => {
    expect(nextReadDelay(w, 10_400, at(11_300, false))).toBe(500);
    expect(nextReadDelay(w, 10_400, at(11_290, true))).toBe(100);
  });

  it('assumes no lag before it has seen one', () => {
    expect(nextReadDelay(w, 10_400, at(10_000, true, Infinity))).toBe(750);
    expect(nextReadDelay(w, 10_400, at(10_600, true, Infinity))).toBe(450);
  });
});
