import { describe, it, expect } from 'vitest';
import {
  parseHlsPlaylist,
  instantToOffset,
  checkPlaylistUris,
  ffmpegScheme,
  HlsPlaylistError,
  type HlsMediaPlaylist,
  type HlsPlaylist,
} from './hls-playlist.js';
import { createEgressPolicy } from '../net/egress-policy.js';

// Recorded from ffmpeg 5.1: `-f hls -hls_time 2 -hls_list_size 3 -hls_flags program_date_time
// -start_number 40` on a 9 s testsrc2 at 30000/1001 fps with a 48-frame GOP.
const FFMPEG_LIVE = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:42
#EXTINF:1.601600,
#EXT-X-PROGRAM-DATE-TIME:2026-11-26T22:59:20.947+0000
index42.ts
#EXTINF:1.601600,
#EXT-X-PROGRAM-DATE-TIME:2026-11-26T22:59:22.549+0000
index43.ts
#EXTINF:1.001000,
#EXT-X-PROGRAM-DATE-TIME:2026-11-26T22:59:24.150+0000
index44.ts
#EXT-X-ENDLIST
`;

// Recorded from ffmpeg 5.1: `-f hls -hls_time 2 -master_pl_name master.m3u8 -var_stream_map "v:0 v:1"`.
const FFMPEG_MASTER = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-STREAM-INF:BANDWIDTH=880000,RESOLUTION=320x240,CODECS="avc1.42c014"
v0.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=220000,RESOLUTION=160x120,CODECS="avc1.42c00d"
v1.m3u8
`;

// Recorded from ffmpeg 5.1: `-f hls -hls_segment_type fmp4 -hls_playlist_type vod`.
const FFMPEG_FMP4 = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:2.000000,
index0.m4s
#EXTINF:2.000000,
index1.m4s
#EXT-X-ENDLIST
`;

const T0 = Date.UTC(2026, 10, 26, 22, 59, 20, 947);

function media(playlist: HlsPlaylist): HlsMediaPlaylist {
  if (playlist.kind !== 'media') throw new Error('expected a media playlist');
  return playlist;
}

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

describe('checkPlaylistUris', () => {
  const fileBase = { kind: 'file', dir: '/srv/media/events/42', root: '/srv/media' } as const;
  const urlBase = { kind: 'url', url: 'https://cdn.example.com:8443/live/index.m3u8' } as const;
  const playlistWith = (...uris: string[]) =>
    parseHlsPlaylist(['#EXTM3U', '#EXT-X-TARGETDURATION:2', ...uris.flatMap((u) => ['#EXTINF:2,', u])].join('\n'));

  it('passes ffmpeg playlists with plain relative segment names', () => {
    expect(checkPlaylistUris(parseHlsPlaylist(FFMPEG_LIVE), fileBase)).toEqual([]);
    expect(checkPlaylistUris(parseHlsPlaylist(FFMPEG_FMP4), fileBase)).toEqual([]);
    expect(checkPlaylistUris(parseHlsPlaylist(FFMPEG_MASTER), fileBase)).toEqual([]);
    expect(checkPlaylistUris(parseHlsPlaylist(FFMPEG_LIVE), urlBase)).toEqual([]);
  });

  it('allows relative paths that stay inside the root, including through ..', () => {
    expect(checkPlaylistUris(playlistWith('seg/1.ts', '../41/shared.ts', './x.ts', '../../top.ts'), fileBase)).toEqual([]);
  });

  it('does not mistake a sibling folder that shares the root as a prefix for the root', () => {
    // /srv/media-other starts with the characters /srv/media but is outside it.
    expect(checkPlaylistUris(playlistWith('../../../media-other/x.ts'), fileBase)).toEqual([
      { line: 4, uri: '../../../media-other/x.ts', reason: 'segment URI resolves outside the storage root' },
    ]);
  });

  it('resolves a relative playlist folder against the root', () => {
    expect(checkPlaylistUris(playlistWith('../../x.ts'), { kind: 'file', dir: 'events/42', root: '/srv/media' })).toEqual([]);
    expect(checkPlaylistUris(playlistWith('../../../x.ts'), { kind: 'file', dir: 'events/42', root: '/srv/media/' })).toHaveLength(1);
  });

  it('flags file:///etc/passwd, ../../etc/passwd and absolute paths in a file playlist', () => {
    const problems = checkPlaylistUris(playlistWith('file:///etc/passwd', '../../../etc/passwd', '/etc/passwd', '//host/share'), fileBase);
    expect(problems).toEqual([
      { line: 4, uri: 'file:///etc/passwd', reason: 'segment URI has a scheme (file:); a file playlist may only use relative paths' },
      { line: 6, uri: '../../../etc/passwd', reason: 'segment URI resolves outside the storage root' },
      { line: 8, uri: '/etc/passwd', reason: 'segment URI is an absolute path; a file playlist may only use relative paths' },
      { line: 10, uri: '//host/share', reason: 'segment URI is an absolute path; a file playlist may only use relative paths' },
    ]);
  });

  it('flags http, data and other schemes in a file playlist', () => {
    const problems = checkPlaylistUris(playlistWith('http://evil.example/seg.ts', 'data:text/plain,hi', 'C:/Windows/x.ts', 'concat:a.ts|b.ts'), fileBase);
    expect(problems.map((p) => p.uri)).toEqual(['http://evil.example/seg.ts', 'data:text/plain,hi', 'C:/Windows/x.ts', 'concat:a.ts|b.ts']);
  });

  it('flags escapes hidden behind percent-encoding, queries and backslashes', () => {
    const problems = checkPlaylistUris(playlistWith('%2e%2e/%2e%2e/%2e%2e/etc/passwd', 'a/../../../..?/x/y.ts', '..\\..\\etc\\passwd', '%2fetc%2fpasswd', 'ok.ts?v=1'), fileBase);
    expect(problems.map((p) => [p.uri, p.reason])).toEqual([
      ['%2e%2e/%2e%2e/%2e%2e/etc/passwd', 'segment URI resolves outside the storage root'],
      ['a/../../../..?/x/y.ts', 'segment URI resolves outside the storage root'],
      ['..\\..\\etc\\passwd', 'segment URI contains a backslash'],
      ['%2fetc%2fpasswd', 'segment URI decodes to an absolute or unsafe path'],
    ]);
  });

  it('checks EXT-X-KEY and EXT-X-MAP URIs like segments', () => {
    const playlist = parseHlsPlaylist(
      [
        '#EXTM3U',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-KEY:METHOD=AES-128,URI="file:///etc/passwd",IV=0x00000000000000000000000000000001',
        '#EXT-X-MAP:URI="../../../init.mp4",BYTERANGE="720@0"',
        '#EXTINF:2,',
        'a.ts',
        '#EXT-X-KEY:METHOD=NONE',
      ].join('\n'),
    );
    expect(checkPlaylistUris(playlist, fileBase)).toEqual([
      { line: 3, uri: 'file:///etc/passwd', reason: 'EXT-X-KEY URI has a scheme (file:); a file playlist may only use relative paths' },
      { line: 4, uri: '../../../init.mp4', reason: 'EXT-X-MAP URI resolves outside the storage root' },
    ]);
    expect(checkPlaylistUris(playlist, urlBase).map((p) => p.line)).toEqual([3]);
  });

  it('flags another host, another port, another scheme and non-http URLs in a URL playlist', () => {
    const problems = checkPlaylistUris(
      playlistWith(
        'http://evil.example/seg.ts',
        '//evil.example/seg.ts',
        'https://cdn.example.com/seg.ts',
        'http://cdn.example.com:8443/seg.ts',
        'file:///etc/passwd',
        'seg/1.ts',
        '../../up-is-fine.ts',
        'https://CDN.example.com:8443/abs.ts',
      ),
      urlBase,
    );
    expect(problems).toEqual([
      { line: 4, uri: 'http://evil.example/seg.ts', reason: "segment URI points to http://evil.example, not the playlist's origin https://cdn.example.com:8443" },
      { line: 6, uri: '//evil.example/seg.ts', reason: "segment URI points to https://evil.example, not the playlist's origin https://cdn.example.com:8443" },
      { line: 8, uri: 'https://cdn.example.com/seg.ts', reason: "segment URI points to https://cdn.example.com, not the playlist's origin https://cdn.example.com:8443" },
      { line: 10, uri: 'http://cdn.example.com:8443/seg.ts', reason: "segment URI points to http://cdn.example.com:8443, not the playlist's origin https://cdn.example.com:8443" },
      { line: 12, uri: 'file:///etc/passwd', reason: 'segment URI has scheme file:; only http and https are allowed' },
    ]);
  });

  it('treats the default port as the same origin', () => {
    expect(checkPlaylistUris(playlistWith('https://cdn.example.com:443/a.ts'), { kind: 'url', url: 'https://cdn.example.com/live.m3u8' })).toEqual([]);
  });

  it('reports a playlist URL that is not http or https', () => {
    expect(checkPlaylistUris(playlistWith('a.ts'), { kind: 'url', url: 'ftp://host/x.m3u8' })).toEqual([
      { line: 0, uri: 'ftp://host/x.m3u8', reason: "the playlist URL's scheme ftp: is not http or https" },
    ]);
    expect(checkPlaylistUris(playlistWith('a.ts'), { kind: 'url', url: 'not a url' })[0]?.reason).toMatch(/not a valid URL/);
  });

  it('refuses a relative storage root rather than reading the working directory', () => {
    expect(() => checkPlaylistUris(playlistWith('a.ts'), { kind: 'file', dir: 'x', root: 'media' })).toThrow(TypeError);
  });
});

describe('vodSnapshot', () => {
  it('makes every URI absolute and ends the list, keeping dates and durations', async () => {
    const { vodSnapshot, parseHlsPlaylist } = await import('./hls-playlist.js');
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

describe('ffmpeg protocol syntax in playlist URIs', () => {
  const playlistWith = (...uris: string[]) =>
    parseHlsPlaylist(['#EXTM3U', '#EXT-X-TARGETDURATION:2', ...uris.flatMap((u) => ['#EXTINF:2,', u])].join('\n'));
  const fileBase = { kind: 'file', dir: '/srv/media/events/42', root: '/srv/media' } as const;
  const urlBase = { kind: 'url', url: 'https://cdn.example.com/live/index.m3u8' } as const;
  // Each is a protocol to ffmpeg, and a harmless relative path to a WHATWG URL parser.
  const FFMPEG_FORMS = [
    'subfile,,start,0,end,0,,:/etc/passwd',
    'subfile,,start,0,end,0,,:seg.ts',
    'file,opt,1:/etc/passwd',
    'crypto+file:/etc/passwd',
    'crypto:seg.ts',
    'concat:a.ts|/etc/passwd',
    'concatf:list.txt',
    'data:video/mp2t;base64,AAAA',
    'pipe:0',
    'fd:3',
    'cache:seg.ts',
    'async:seg.ts',
    'tcp:127.0.0.1:80',
    'gopher:x',
    'C:/Windows/x.ts',
    'HTTPS,x:foo',
  ];

  it.each(FFMPEG_FORMS)('recognises %s as a protocol', (uri) => {
    expect(ffmpegScheme(uri)).not.toBeNull();
  });

  it('reads relative references as relative, the way ffmpeg does', () => {
    expect(ffmpegScheme('seg/1.ts')).toBeNull();
    expect(ffmpegScheme('./a:b.ts')).toBeNull();
    expect(ffmpegScheme('seg.ts?t=1:2')).toBeNull();
    expect(ffmpegScheme('//cdn.example.com/a.ts')).toBeNull();
    expect(ffmpegScheme('https://cdn.example.com/a.ts')).toBe('https');
  });

  it.each(FFMPEG_FORMS)('refuses %s in a file playlist and in a URL playlist', (uri) => {
    const fromFile = checkPlaylistUris(playlistWith(uri), fileBase);
    expect(fromFile).toHaveLength(1);
    expect(fromFile[0]!.reason).toMatch(/has a scheme/);
    const fromUrl = checkPlaylistUris(playlistWith(uri), urlBase);
    expect(fromUrl).toHaveLength(1);
    expect(fromUrl[0]!.reason).toMatch(/has scheme .*only http and https are allowed/);
  });

  it('refuses the subfile form in key and map URIs too', () => {
    const playlist = parseHlsPlaylist(
      ['#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-KEY:METHOD=AES-128,URI="subfile,,start,0,end,16,,:/etc/machine-id"', '#EXT-X-MAP:URI="data:,x"', '#EXTINF:2,', 'a.ts'].join('\n'),
    );
    expect(checkPlaylistUris(playlist, urlBase).map((p) => p.line)).toEqual([3, 4]);
    expect(checkPlaylistUris(playlist, fileBase).map((p) => p.line)).toEqual([3, 4]);
  });

  it('refuses white space around a URI (ffmpeg would read " /x" as a local file)', () => {
    const playlist = parseHlsPlaylist(['#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-MAP:URI=" /etc/passwd"', '#EXTINF:2,', 'a.ts'].join('\n'));
    expect(checkPlaylistUris(playlist, urlBase)[0]?.reason).toBe('EXT-X-MAP URI starts or ends with white space');
    expect(checkPlaylistUris(playlist, fileBase)[0]?.reason).toBe('EXT-X-MAP URI starts or ends with white space');
  });

  it('allows absolute http(s) and relative URIs on the playlist origin', () => {
    expect(checkPlaylistUris(playlistWith('https://cdn.example.com/live/a.ts', 'HTTPS://cdn.example.com/b.ts', 'c.ts', '/abs/d.ts', '//cdn.example.com/e.ts'), urlBase)).toEqual([]);
  });

  it('applies the egress policy to the playlist host and every URI host', () => {
    const egress = createEgressPolicy();
    expect(checkPlaylistUris(playlistWith('a.ts'), { kind: 'url', url: 'http://2130706433/x.m3u8', egress })).toEqual([
      { line: 0, uri: 'http://2130706433/x.m3u8', reason: "the playlist URL's host is not allowed (loopback address 127.0.0.1)" },
    ]);
    expect(checkPlaylistUris(playlistWith('a.ts'), { kind: 'url', url: 'http://[::ffff:a9fe:a9fe]/x.m3u8', egress })[0]?.reason).toMatch(/link-local/);
    expect(checkPlaylistUris(playlistWith('a.ts', 'http://0x7f000001/b.ts'), { kind: 'url', url: 'http://127.0.0.1/x.m3u8', egress: createEgressPolicy(['127.0.0.1']) })).toEqual([]);
    expect(checkPlaylistUris(playlistWith('a.ts'), { kind: 'url', url: 'https://cdn.example.com/x.m3u8', egress })).toEqual([]);
  });
});
