import { describe, expect, it } from 'vitest';
import { createGpuScheduler } from '../src/gpu-scheduler.js';
import { caps } from './gpu-fixtures.js';

describe('createGpuScheduler', () => {
  it('pins jobs to the least busy usable GPU and frees the slot on release', () => {
    const s = createGpuScheduler(caps([{ index: 0, nvdec: true, nvenc: false }, { index: 1, nvdec: true, nvenc: true }, { index: 2, nvdec: false, nvenc: false }]), 'if-possible');
    const a = s.acquire();
    const b = s.acquire();
    expect([a.strategy.gpu, b.strategy.gpu].sort()).toEqual([0, 1]);
    expect(a.strategy.name).toBe(a.strategy.gpu === 0 ? 'nvdec-x264' : 'nvdec-nvenc');
    const c = s.acquire();
    expect([0, 1]).toContain(c.strategy.gpu);
    a.release();
    a.release(); // idempotent
    const d = s.acquire();
    expect(d.strategy.gpu).toBe(a.strategy.gpu);
    // Three jobs hold slots (b, c, d): spread as evenly as two GPUs allow.
    const counts = Object.values(s.running());
    expect(counts.reduce((x, y) => x + y, 0)).toBe(3);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });
  it('runs on the CPU without a usable GPU, and never with HWACCEL=disable', () => {
    expect(createGpuScheduler(caps([]), 'if-possible').acquire().strategy.name).toBe('cpu');
    expect(createGpuScheduler(caps([{ index: 0, nvdec: true, nvenc: true }]), 'disable').acquire().strategy.name).toBe('cpu');
    expect(() => createGpuScheduler(caps([]), 'required').acquire()).toThrow(/HWACCEL=required/);
  });
});
