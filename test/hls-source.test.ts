// HLS playlists as sources: a crafted playlist must not make ffmpeg read a local file outside
// the storage root or reach another host. The URIs are checked when the playlist is read,
// before any ffprobe/ffmpeg runs; the asset FAILS with the reason (the gateway accepts the
// request: it cannot tell a bad playlist from a source that is still being written).
import { createServer, type Server } from 'node:http';
import { constants, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { runProcess } from '@framesmith/core/media/run-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, stack, testVideo, waitForAsset } from './support/api.js';
import { expectedLumas, frameLumas, lumaError, makeHls } from './support/media-check.js';

const abs = (rel: string) => path.join(stack().storageRoot, rel);

const playlistWith = (uri: string) =>
  ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXTINF:2.000000,', uri, '#EXT-X-ENDLIST', ''].join('\n');

async function videoFromEvent(body: Record<string, unknown>) {
  const ev = await api('POST', '/api/event/', { title: 'hls test', ...body });
  expect(ev.status, JSON.stringify(ev.body)).toBe(200);
  const started = Date.now();
  const r = await api('POST', '/api/asset/video/', { name: 'from playlist', clip: { eventId: ev.body.id, start: '00:00:00.500', end: '00:00:01.500' }, frameAccurate: true });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const done = await waitForAsset(r.body.id);
  return { done, seconds: (Date.now() - started) / 1000 };
}

describe('HLS playlists on storage that point elsewhere', () => {
  const cases: [string, string, RegExp][] = [
    ['a local file above the storage root', '../../../etc/passwd', /line 6: segment URI resolves outside the storage root/],
    ['a file: URL', 'file:///etc/passwd', /line 6: segment URI has a scheme \(file:\)/],
    ['a foreign host', 'http://203.0.113.7/seg.ts', /line 6: segment URI has a scheme \(http:\)/],
    ['an encoded escape', '%2e%2e/%2e%2e/%2e%2e/etc/passwd', /resolves outside the storage root/],
  ];
  for (const [what, uri, reason] of cases) {
    it(`fails the asset for ${what}, before any process reads it`, async () => {
      const rel = `hls-evil-${cases.findIndex((c) => c[1] === uri)}/index.m3u8`;
      await mkdir(path.dirname(abs(rel)), { recursive: true });
      await writeFile(abs(rel), playlistWith(uri));
      const { done, seconds } = await videoFromEvent({ vodFile: rel });
      expect(done.stateString).toBe('FAILED');
      expect(done.failureReason).toMatch(/the playlist refers to a location it may not use/);
      expect(done.failureReason).toMatch(reason);
      // 203.0.113.7 is TEST-NET-3: a connection attempt would hang until a timeout, not fail at once.
      expect(seconds).toBeLessThan(15);
    });
  }

  it('never opens a local file outside the root that the playlist names (a FIFO that would block a reader)', async () => {
    const fifo = path.join(stack().dataDir, 'canary.fifo');
    await rm(fifo, { force: true });
    await runProcess('mkfifo', [fifo], { timeoutMs: 5_000 });
    try {
      const rel = 'hls-evil-fifo/index.m3u8';
      await mkdir(path.dirname(abs(rel)), { recursive: true });
      // storage/hls-evil-fifo/../../canary.fifo is the FIFO in the data folder, outside the root.
      expect(path.resolve(path.dirname(abs(rel)), '../../canary.fifo')).toBe(fifo);
      await writeFile(abs(rel), playlistWith('../../canary.fifo'));
      const { done } = await videoFromEvent({ vodFile: rel });
      expect(done.stateString).toBe('FAILED');
      expect(done.failureReason).toMatch(/resolves outside the storage root/);
      // Opening a FIFO for writing without blocking fails with ENXIO while no process has it
      // open for reading: neither ffprobe nor ffmpeg is sitting on it.
      let fd: number | null = null;
      let code: string | undefined;
      try {
        fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (err) {
        code = (err as NodeJS.ErrnoException).code;
      } finally {
        if (fd !== null) closeSync(fd);
      }
      expect(code).toBe('ENXIO');
    } finally {
      await rm(fifo, { force: true });
    }
  });
});

describe('HLS over http(s)', () => {
  let server: Server;
  let base = '';
  const requests: string[] = [];
  let hlsDir = '';

  beforeAll(async () => {
    const vod = await testVideo('hls-http-src/vod.mp4');
    hlsDir = path.join(stack().dataDir, 'served-hls');
    await makeHls(abs(vod), hlsDir);
    server = createServer(async (req, res) => {
      requests.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/evil/index.m3u8') {
        res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
        res.end(playlistWith('http://203.0.113.7/seg.ts'));
        return;
      }
      if (url.pathname === '/other-port/index.m3u8') {
        // Same machine, another origin (port): refused as well.
        res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
        res.end(playlistWith(`http://127.0.0.1:${(server.address() as AddressInfo).port + 1}/seg.ts`));
        return;
      }
      const m = /^\/good\/([a-z0-9]+\.(?:m3u8|ts))$/.exec(url.pathname);
      if (m) {
        try {
          const body = await readFile(path.join(hlsDir, m[1]!));
          res.writeHead(200, { 'content-type': m[1]!.endsWith('.ts') ? 'video/mp2t' : 'application/vnd.apple.mpegurl' });
          res.end(body);
        } catch {
          res.writeHead(404).end();
        }
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses a served playlist whose segments are on another host, fetching nothing but the playlist', async () => {
    requests.length = 0;
    const { done } = await videoFromEvent({ sourceUrl: `${base}/evil/index.m3u8` });
    expect(done.stateString).toBe('FAILED');
    expect(done.failureReason).toMatch(/points to http:\/\/203\.0\.113\.7, not the playlist's origin/);
    expect(new Set(requests)).toEqual(new Set(['/evil/index.m3u8']));
  });

  it('refuses segments on another port of the same machine', async () => {
    const { done } = await videoFromEvent({ sourceUrl: `${base}/other-port/index.m3u8` });
    expect(done.stateString).toBe('FAILED');
    expect(done.failureReason).toMatch(/not the playlist's origin/);
  });

  it('makes an exact clip from a served playlist whose segments stay on its origin', async () => {
    requests.length = 0;
    const created = await api('POST', '/api/event/', { title: 'served hls', sourceUrl: `${base}/good/index.m3u8` });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const ev = created.body.id as string;
    const r = await api('POST', '/api/asset/video/', { name: 'served hls', clip: { eventId: ev, start: '00:00:03.130', end: '00:00:07.410' }, frameAccurate: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const done = await waitForAsset(r.body.id, 90_000);
    expect(done.stateString, done.failureReason).toBe('COMPLETED');
    const lumas = await frameLumas(abs(done.path));
    expect(lumaError(lumas, expectedLumas(79, 185))).toBeLessThan(0.5);
    expect(requests.some((u) => u.endsWith('.ts'))).toBe(true);
    expect(requests.every((u) => u.startsWith('/good/'))).toBe(true);
  }, 120_000);
});
