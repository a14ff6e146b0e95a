import { describe, it, expect } from 'vitest';
import { instantToOffset } from './hls-instant.js';
import { parseHlsPlaylist } from './hls-playlist.js';
import { FFMPEG_FMP4, FFMPEG_LIVE, media, T0 } from './fixtures/hls-playlists.js';

describe('instantToOffset', () => {
  const playlist = media(parseHlsPlaylist(FFMPEG_LIVE));

  it('maps an instant inside a segment to seconds from the first segment', () => {
    expect(instantToOffset(playlist, T0)).toBe(0);
    expect(instantToOffset(playlist, T0 + 500)).toBeCloseTo(0.5, 9);
    // ffmpeg rounds each written date to the millisecond; the offset follows the segment's own date.
    expect(instantToOffset(playlist, T0 + 1602)).toBeCloseTo(1.6016, 9);
    // The first segment ends at +1601.6 ms but the second is dated +1602: the gap maps to the join.
    expect(instantToOffset(playlist, T0 + 1601.8)).toBeCloseTo(1.6016, 9);
    expect(instantToOffset(playlist, T0 + 3203 + 250)).toBeCloseTo(3.2032 + 0.25, 9);
  });

  it('accepts the exact end of the last segment and nothing after it', () => {
    expect(instantToOffset(playlist, T0 + 3203 + 1001)).toBeCloseTo(4.2042, 9);
    expect(instantToOffset(playlist, T0 + 3203 + 1002)).toBeNull();
  });

  it('returns null before the first segment and for undated playlists', () => {
    expect(instantToOffset(playlist, T0 - 1)).toBeNull();
    expect(instantToOffset(media(parseHlsPlaylist(FFMPEG_FMP4)), T0)).toBeNull();
  });

  it('skips undated segments after a discontinuity and maps the dated ones after them', () => {
    const gappy = media(
      parseHlsPlaylist(
        [
          '#EXTM3U',
          '#EXT-X-TARGETDURATION:2',
          '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z',
          '#EXTINF:2,',
          'a.ts',
          '#EXT-X-DISCONTINUITY',
          '#EXTINF:2,',
          'b.ts',
          '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T01:00:00Z',
          '#EXTINF:2,',
          'c.ts',
        ].join('\n'),
      ),
    );
    const t = Date.UTC(2026, 0, 1);
    expect(instantToOffset(gappy, t + 2000)).toBe(2); // end of a.ts, before the gap
    expect(instantToOffset(gappy, t + 3000)).toBeNull();
    expect(instantToOffset(gappy, t + 3_600_000 + 1000)).toBe(5);
  });
});
