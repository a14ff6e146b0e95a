import { describe, expect, it } from 'vitest';
import { formatOffset, parseClipTime } from './time.js';

describe('parseClipTime', () => {
  it('parses offsets with and without milliseconds', () => {
    expect(parseClipTime('00:00:46')).toEqual({ kind: 'offset', seconds: 46 });
    expect(parseClipTime('00:07:31.500')).toEqual({ kind: 'offset', seconds: 451.5 });
    expect(parseClipTime('01:00:00.05')).toEqual({ kind: 'offset', seconds: 3600.05 });
  });
  it('parses ISO8601 instants in Z, +00:00 and +0000 forms', () => {
    const z = parseClipTime('2026-11-26T21:09:21.500Z');
    expect(z).toEqual({ kind: 'instant', epochMs: Date.UTC(2026, 10, 26, 21, 9, 21, 500) });
    expect(parseClipTime('2026-11-26T22:09:21.500+01:00')).toEqual(z);
    expect(parseClipTime('2026-11-26T21:09:21.500+0000')).toEqual(z);
  });
  it('rejects what is neither', () => {
    for (const bad of ['', '46', '00:61:00', '00:00:60', 'aa:bb:cc', '00:00:01;', '2026-13-01T00:00:00Z', '2026-11-26 21:09:21Z', '-00:00:01']) {
      expect(parseClipTime(bad), bad).toBeNull();
    }
  });
  it('formats offsets back', () => {
    expect(formatOffset(451.5)).toBe('00:07:31.500');
  });
});
