import { describe, it, expect } from 'vitest';
import { parseHlsPlaylist, vodSnapshot, HlsPlaylistError } from './hls-playlist.js';
import { FFMPEG_FMP4, FFMPEG_LIVE, FFMPEG_MASTER, media, T0 } from './fixtures/hls-playlists.js';

function parseError(text: string): HlsPlaylistError {
  try {
    parseHlsPlaylist(text);
  } catch (err) {
    if (err instanceof HlsPlaylistError) return err;
    throw err;
  }
  throw new Error('expected the playlist to be rejected');
}

describe('parseHlsPlaylist', () => {
  it('reads an ffmpeg live playlist with program date time on every segment', () => {
    const playlist = media(parseHlsPlaylist(FFMPEG_LIVE));
    expect(playlist).toMatchObject({ kind: 'media', targetDuration: 2, mediaSequence: 42, endList: true });
    expect(playlist.segments).toEqual([
      { uri: 'index42.ts', duration: 1.6016, programDateTimeMs: T0, startOffset: 0 },
      { uri: 'index43.ts', duration: 1.6016, programDateTimeMs: T0 + 1602, startOffset: 1.6016 },
      { uri: 'index44.ts', duration: 1.001, programDateTimeMs: T0 + 3203, startOffset: 3.2032 },
    ]);
    expect(playlist.resources).toEqual([
      { uri: 'index42.ts', line: 7, source: 'segment' },
      { uri: 'index43.ts', line: 10, source: 'segment' },
      { uri: 'index44.ts', line: 13, source: 'segment' },
    ]);
  });

  it('reads an ffmpeg fMP4 playlist and records its EXT-X-MAP URI', () => {
    const playlist = media(parseHlsPlaylist(FFMPEG_FMP4));
    expect(playlist.segments.map((s) => [s.uri, s.startOffset, s.programDateTimeMs])).toEqual([
      ['index0.m4s', 0, null],
      ['index1.m4s', 2, null],
    ]);
    expect(playlist.resources[0]).toEqual({ uri: 'init.mp4', line: 6, source: 'EXT-X-MAP' });
  });

  it('tells a master playlist apart and reads its variants', () => {
    expect(parseHlsPlaylist(FFMPEG_MASTER)).toEqual({
      kind: 'master',
      variants: [
        { uri: 'v0.m3u8', bandwidth: 880000, resolution: { width: 320, height: 240 } },
        { uri: 'v1.m3u8', bandwidth: 220000, resolution: { width: 160, height: 120 } },
      ],
      resources: [
        { uri: 'v0.m3u8', line: 4, source: 'variant' },
        { uri: 'v1.m3u8', line: 7, source: 'variant' },
      ],
    });
  });

  it('records rendition and I-frame URIs of a master playlist', () => {
    const playlist = parseHlsPlaylist(
      [
        '#EXTM3U',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English, main",LANGUAGE="en",URI="audio/en.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=500000,AUDIO="aac"',
        'low.m3u8',
        '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=80000,URI="iframes.m3u8"',
      ].join('\n'),
    );
    expect(playlist.kind).toBe('master');
    expect(playlist.kind === 'master' && playlist.variants).toEqual([{ uri: 'low.m3u8', bandwidth: 500000, resolution: null }]);
    expect(playlist.resources.map((r) => [r.source, r.uri])).toEqual([
      ['EXT-X-MEDIA', 'audio/en.m3u8'],
      ['variant', 'low.m3u8'],
      ['EXT-X-I-FRAME-STREAM-INF', 'iframes.m3u8'],
    ]);
  });

  it('propagates program date time by adding durations, and accepts +00:00, Z and other zones', () => {
    const playlist = media(
      parseHlsPlaylist(
        [
          '#EXTM3U',
          '#EXT-X-TARGETDURATION:4',
          '#EXT-X-PROGRAM-DATE-TIME:2026-11-26T21:09:21.500+00:00',
          '#EXTINF:4.004,',
          'a.ts',
          '#EXTINF:4.004,',
          'b.ts',
          '#EXTINF:2,',
          'c.ts',
          '#EXT-X-PROGRAM-DATE-TIME:2026-11-26T22:10:00Z',
          '#EXTINF:3,',
          'd.ts',
          '#EXT-X-PROGRAM-DATE-TIME:2026-11-26T23:10:03.25-01:00',
          '#EXTINF:3,',
          'e.ts',
        ].join('\r\n'),
      ),
    );
    const base = Date.UTC(2026, 10, 26, 21, 9, 21, 500);
    const dates = playlist.segments.map((s) => s.programDateTimeMs!);
    expect(dates[0]).toBe(base);
    expect(dates[1]).toBeCloseTo(base + 4004, 6);
    expect(dates[2]).toBeCloseTo(base + 8008, 6);
    expect(dates[3]).toBe(Date.UTC(2026, 10, 26, 22, 10, 0));
    expect(dates[4]).toBe(Date.UTC(2026, 10, 27, 0, 10, 3, 250));
    expect(playlist.endList).toBe(false);
    expect(playlist.mediaSequence).toBe(0);
  });

  it('does not carry the clock across a discontinuity', () => {
    const playlist = media(
      parseHlsPlaylist(
        ['#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z', '#EXTINF:2,', 'a.ts', '#EXT-X-DISCONTINUITY', '#EXTINF:2,', 'b.ts', '#EXTINF:2,', 'c.ts'].join('\n'),
      ),
    );
    expect(playlist.segments.map((s) => s.programDateTimeMs)).toEqual([Date.UTC(2026, 0, 1), null, null]);
    expect(playlist.segments.map((s) => s.startOffset)).toEqual([0, 2, 4]);
  });

  it('ignores comments, blank lines, unknown tags and a byte order mark', () => {
    const playlist = media(parseHlsPlaylist('\uFEFF#EXTM3U\n# a comment\n\n#EXT-X-TARGETDURATION:6\n#EXT-X-FOO:BAR\n#EXTINF:5.5,title, with comma\nx.ts\n'));
    expect(playlist.segments).toEqual([{ uri: 'x.ts', duration: 5.5, programDateTimeMs: null, startOffset: 0 }]);
  });

  it.each([
    ['no #EXTM3U header', 'hello\n', 1, /first line is not #EXTM3U/],
    ['a URI without #EXTINF', '#EXTM3U\n#EXT-X-TARGETDURATION:2\nseg.ts', 3, /has no #EXTINF/],
    ['a bad duration', '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:abc,\nseg.ts', 3, /bad segment duration "abc"/],
    ['a bad date', '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:yesterday', 3, /bad program date time/],
    ['an impossible date', '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:2026-02-30T00:00:00Z', 3, /bad program date time/],
    ['a dangling #EXTINF', '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n', 3, /EXTINF is not followed by a URI/],
    ['a missing target duration', '#EXTM3U\n#EXTINF:2,\na.ts\n', 1, /no #EXT-X-TARGETDURATION/],
    ['a variant without bandwidth', '#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\na.m3u8', 2, /needs a BANDWIDTH/],
    ['a dangling variant', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n', 2, /not followed by a URI/],
    ['variants mixed with segments', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n#EXTINF:2,\nb.ts', 3, /both variants and segments/],
    ['a broken attribute list', '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI="k.key', 3, /bad attribute list/],
  ])('rejects %s', (_name, text, line, reason) => {
    const err = parseError(text);
    expect(err.line).toBe(line);
    expect(err.message).toMatch(reason);
  });
});

describe('vodSnapshot', () => {
  it('makes every URI absolute and ends the list, keeping dates and durations', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-MEDIA-SEQUENCE:3',
      '#EXT-X-KEY:METHOD=AES-128,URI="keys/k1.bin"',
      '#EXTINF:2.000000,',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-27T00:00:06.000+0000',
      'seg003.ts',
      '#EXTINF:2.000000,',
      'seg004.ts',
      '',
    ].join('\n');
    const playlist = parseHlsPlaylist(text);
    if (playlist.kind !== 'media') throw new Error('media expected');
    expect(playlist.endList).toBe(false);
    const out = vodSnapshot(text, playlist, (u) => `file:/srv/live/${u}`);
    expect(out).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-MEDIA-SEQUENCE:3',
        '#EXT-X-KEY:METHOD=AES-128,URI="file:/srv/live/keys/k1.bin"',
        '#EXTINF:2.000000,',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-27T00:00:06.000+0000',
        'file:/srv/live/seg003.ts',
        '#EXTINF:2.000000,',
        'file:/srv/live/seg004.ts',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
    const again = parseHlsPlaylist(out);
    expect(again.kind === 'media' && again.endList).toBe(true);
  });
});
