// Live sources: a sliding-window HLS playlist (no EXT-X-ENDLIST) on storage and over http.
// ffmpeg alone starts a live playlist near its live edge and cannot seek in it; the worker
// reads a VOD snapshot of the window, so an instant early in the window gives its frame.
import { readFile, writeFile } from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameLuma } from '../scripts/stack/demo-media.js';
import { api, createEvent, stack, testVideo, waitForAsset } from './support/api.js';
import { type HlsOrigin, startHlsOrigin } from './support/hls-server.js';
import { makeHls } from './support/media-check.js';

const level = (n: number) => ((frameLuma(n) - 16) * 255) / 219;
const abs = (rel: string) => path.join(stack().storageRoot, rel);

/** Segments 3..8 of a 2 s-segment VOD playlist, as a live encoder's window would list them. */
function liveWindow(vodPlaylist: string): { text: string; firstSegmentDateMs: number } {
  const lines = vodPlaylist.split('\n');
  const head = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:3'];
  const segments: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.startsWith('#EXTINF') || line.startsWith('#EXT-X-PROGRAM-DATE-TIME')) current.push(line);
    else if (line && !line.startsWith('#')) {
      segments.push([...current, line]);
      current = [];
    }
  }
  const window = segments.slice(3, 9);
  const pdt = window[0]!.find((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME'))!.split(':').slice(1).join(':');
  return { text: [...head, ...window.flat(), ''].join('\n'), firstSegmentDateMs: Date.parse(pdt.replace(/\+0000$/, 'Z')) };
}

async function grab(eventId: string, time: string) {
  const r = await api('POST', '/api/asset/image/', { eventId, name: `live ${time}`, time });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const done = await waitForAsset(r.body.id);
  expect(done.stateString, done.failureReason).toBe('COMPLETED');
  const jpeg = Buffer.from(await (await fetch(done.url.replace('localhost', '127.0.0.1'))).arrayBuffer());
  return (await sharp(jpeg).stats()).channels[0]!.mean;
}

describe('live HLS windows', () => {
  let window: ReturnType<typeof liveWindow>;
  let origin: HlsOrigin;
  beforeAll(async () => {
    const vod = await testVideo('live/vod.mp4', { seconds: 20 });
    await makeHls(abs(vod), abs('live/hls'));
    window = liveWindow(await readFile(abs('live/hls/index.m3u8'), 'utf8'));
    await writeFile(abs('live/hls/live.m3u8'), window.text);
    origin = await startHlsOrigin(abs('live/hls'));
  });
  afterAll(async () => origin?.close());

  it('grabs at an instant early in a live window on storage', async () => {
    const ev = await createEvent('live/hls/live.m3u8');
    // Segment 3 starts at 6 s of the stream (frame 150); +0.5 s shows frame 162.
    const mean = await grab(ev.id, new Date(window.firstSegmentDateMs + 500).toISOString());
    expect(Math.abs(mean - level(162))).toBeLessThan(3);
  });

  it('grabs at an instant early in a live window served over http', async () => {
    const r = await api('POST', '/api/event/', { title: 'live over http', sourceUrl: origin.url('/plain/live.m3u8') });
    const mean = await grab(r.body.id, new Date(window.firstSegmentDateMs + 4_500).toISOString());
    // Segment 5 (8 s .. 10 s of the window's start 6 s → 10.5 s of the stream): frame 262.
    expect(Math.abs(mean - level(262))).toBeLessThan(3);
    // The snapshot is private and gone once the job ends.
    const left = (await readdir(tmpdir())).filter((f) => f.startsWith('framesmith-live-'));
    expect(left).toEqual([]);
  });
});
