import { describe, expect, it } from 'vitest';
import { type HlsMediaPlaylist, parseHlsPlaylist } from './hls-playlist.js';
import { describeLiveWait, liveEdgeNeeded, liveWindow, placeInstant } from './live-window.js';

const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const live = (segments: number, firstSeq = 0, end = false) =>
  parseHlsPlaylist(
    [
      '#EXTM3U',
      '#EXT-X-TARGETDURATION:1',
      `#EXT-X-MEDIA-SEQUENCE:${firstSeq}`,
      ...Array.from({ length: segments }, (_, i) => [
        '#EXTINF:1.000000,',
        `#EXT-X-PROGRAM-DATE-TIME:${new Date(T0 + (firstSeq + i) * 1000).toISOString()}`,
        `seg${firstSeq + i}.ts`,
      ]).flat(),
      ...(end ? ['#EXT-X-ENDLIST'] : []),
      '',
    ].join('\n'),
  ) as HlsMediaPlaylist;

describe('live window', () => {
  it('finds the first instant and the edge from program date time', () => {
    const w = liveWindow(live(5, 10))!;
    expect(w.firstMs).toBe(T0 + 10_000);
    expect(w.edgeMs).toBe(T0 + 15_000);
    expect(w.durationSeconds).toBe(5);
    expect(w.lastSegmentSeconds).toBe(1);
    expect(w.endList).toBe(false);
    expect(liveWindow(live(5, 10, true))!.endList).toBe(true);
  });

  it('has no clock without program date time', () => {
    expect(liveWindow(parseHlsPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\na.ts\n') as HlsMediaPlaylist)).toBeNull();
  });

  it('places instants inside, before and ahead of the window', () => {
    const p = live(5, 10);
    const w = liveWindow(p)!;
    expect(placeInstant(p, w, T0 + 12_500)).toEqual({ kind: 'inside', seconds: 2.5 });
    // The edge itself is still inside: a clip may end where the stream ends.
    expect(placeInstant(p, w, T0 + 15_000)).toEqual({ kind: 'inside', seconds: 5 });
    expect(placeInstant(p, w, T0 + 9_999)).toEqual({ kind: 'before', firstMs: T0 + 10_000 });
    expect(placeInstant(p, w, T0 + 25_000)).toEqual({ kind: 'ahead', aheadMs: 10_000, seconds: 15 });
  });

  it('needs the segment after a grab instant, and only up to a clip end', () => {
    expect(liveEdgeNeeded('image', T0)).toBe(T0 + 1);
    expect(liveEdgeNeeded('video', T0)).toBe(T0);
    expect(liveEdgeNeeded('gif', T0)).toBe(T0);
  });

  it('describes a wait in words, and nothing once it is over', () => {
    const s = { waiting: true, untilMs: T0 + 10_000, edgeMs: T0 + 2_500, checkedAtMs: T0 };
    expect(describeLiveWait(s)).toBe('waiting for the live edge: it is at 2026-12-02T10:00:02.500Z, the request needs 2026-12-02T10:00:10.000Z, 7.5 s to go');
    expect(describeLiveWait({ ...s, waiting: false })).toBeNull();
  });
});
