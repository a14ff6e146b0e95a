import { describe, expect, it } from 'vitest';
import { type HlsMediaPlaylist, parseHlsPlaylist } from '@framesmith/core/media/hls-playlist';
import { liveWindow, placeInstant } from '@framesmith/core/media/live-window';
import { ApiError } from '@framesmith/core/errors';
import { liveSeconds, liveWaitFor, recordingCovers } from './live-times.js';
import type { SourceInfo } from './source-inspector.js';

const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const CONFIG = { maxWaitSeconds: 300, stallTargetDurations: 3 };
// Segments 10..14 of 1 s each: the window is [T0+10 s, T0+15 s].
const playlist = parseHlsPlaylist(
  ['#EXTM3U', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:10', ...[10, 11, 12, 13, 14].flatMap((i) => ['#EXTINF:1.0,', `#EXT-X-PROGRAM-DATE-TIME:${new Date(T0 + i * 1000).toISOString()}`, `s${i}.ts`]), ''].join('\n'),
) as HlsMediaPlaylist;
const window = liveWindow(playlist)!;
const live = { window, place: (ms: number) => placeInstant(playlist, window, ms) };
const info = { known: false, live } as unknown as SourceInfo;
const instant = (ms: number) => ({ kind: 'instant' as const, epochMs: ms });
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('no refusal');
};

describe('live request rules', () => {
  it('accepts instants in the window and ahead of it within the horizon', () => {
    expect(liveSeconds(live, 'time', T0 + 12_000, CONFIG)).toBe(2);
    expect(liveSeconds(live, 'time', T0 + 25_000, CONFIG)).toBe(15);
    expect(liveSeconds(live, 'time', T0 + 15_000 + 300_000, CONFIG)).toBe(305);
  });

  it('refuses an instant past the horizon, naming the limit', () => {
    const err = refusal(() => liveSeconds(live, 'clip.end', T0 + 15_000 + 300_001, CONFIG));
    expect(err.errorType).toBe('ValidationError');
    expect(err.message).toMatch(/clip\.end lies 300\.0 s past the live edge \(2026-12-02T10:00:15\.000Z\); at most LIVE_MAX_WAIT_SECONDS \(300 s\)/);
    expect(err.data).toMatchObject({ field: 'clip.end', liveMaxWaitSeconds: 300 });
  });

  it('refuses an instant that slid out of the window, naming the first available instant', () => {
    const err = refusal(() => liveSeconds(live, 'time', T0 + 9_999, CONFIG));
    expect(err.message).toMatch(/first available instant is 2026-12-02T10:00:10\.000Z$/);
    expect(err.data).toMatchObject({ field: 'time', firstAvailable: '2026-12-02T10:00:10.000Z' });
  });

  it('waits only for what lies past the edge', () => {
    expect(liveWaitFor('video', info, [instant(T0 + 11_000), instant(T0 + 15_000)], CONFIG, T0)).toBeNull();
    expect(liveWaitFor('image', info, [instant(T0 + 15_000)], CONFIG, T0)).toEqual({ untilMs: T0 + 15_001, stallTargetDurations: 3, giveUpAtMs: T0 + 1 + 300_000 });
    expect(liveWaitFor('gif', info, [instant(T0 + 14_000), instant(T0 + 21_000)], CONFIG, T0)).toEqual({ untilMs: T0 + 21_000, stallTargetDurations: 3, giveUpAtMs: T0 + 6_000 + 300_000 });
    // Offsets never wait; nor does a source that is not live.
    expect(liveWaitFor('image', info, [{ kind: 'offset', seconds: 99 }], CONFIG, T0)).toBeNull();
    expect(liveWaitFor('image', { ...info, live: null }, [instant(T0 + 20_000)], CONFIG, T0)).toBeNull();
  });

  it('lets a recording serve only the times it holds', () => {
    const recording = { known: true, hasTimecode: true, durationSeconds: 60, instantToOffset: (ms: number) => (ms - T0) / 1000 } as unknown as SourceInfo;
    expect(recordingCovers(recording, [instant(T0 + 5_000), { kind: 'offset', seconds: 3 }])).toBe(true);
    expect(recordingCovers(recording, [instant(T0 + 61_000)])).toBe(false);
    expect(recordingCovers({ ...recording, hasTimecode: false }, [instant(T0 + 5_000)])).toBe(false);
  });
});
