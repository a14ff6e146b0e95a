import { describe, it, expect } from 'vitest';
import { parseHlsPlaylist } from './hls-playlist.js';
import { checkPlaylistUris, ffmpegScheme } from './hls-uri-check.js';
import { createEgressPolicy } from '../net/egress-policy.js';
import { FFMPEG_FMP4, FFMPEG_LIVE, FFMPEG_MASTER } from './fixtures/hls-playlists.js';

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
