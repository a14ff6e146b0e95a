// IMAGE grabs and GIFs from an HLS source (clock starting near 1.4 s, audio lead-in) at
// ISO8601 instants mapped through EXT-X-PROGRAM-DATE-TIME: the same frames as the MP4 source.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectGif } from './support/gif-inspect.js';
import { frameLuma } from '../scripts/stack/demo-media.js';
import { api, createEvent, stack, testVideo, waitForAsset } from './support/api.js';
import { makeHls } from './support/media-check.js';
import { counterBefore, metricValue, scrape } from './support/metrics.js';

const level = (n: number) => ((frameLuma(n) - 16) * 255) / 219;
const abs = (rel: string) => path.join(stack().storageRoot, rel);
const fetchLocal = async (url: string) => Buffer.from(await (await fetch(url.replace('localhost', '127.0.0.1'))).arrayBuffer());

describe('IMAGE and GIF from HLS with program date time', () => {
  let ev = '';
  let iso: (offsetMs: number) => string = () => '';
  beforeAll(async () => {
    const vod = await testVideo('hls-grab/vod.mp4', { seconds: 10 });
    await makeHls(abs(vod), abs('hls-grab/hls'));
    const playlist = await readFile(abs('hls-grab/hls/index.m3u8'), 'utf8');
    const t0 = Date.parse(/#EXT-X-PROGRAM-DATE-TIME:(\S+)/.exec(playlist)![1]!.replace(/\+0000$/, 'Z'));
    iso = (ms) => new Date(t0 + ms).toISOString();
    ev = (await createEvent('hls-grab/hls/index.m3u8')).id;
  });

  it('grabs the frame on screen at an ISO8601 instant, from a short window after a seek (no listing)', async () => {
    const worker = `http://127.0.0.1:${stack().metricsPorts['worker-cpu']}`;
    const window = { kind: 'image', method: 'window', format: 'hls' };
    const before = counterBefore(await scrape(worker), 'framesmith_frame_locate_total', window);
    // 5.500 s → frame 137 (25 fps), the same frame the MP4 grab gives.
    const r = await api('POST', '/api/asset/image/', { eventId: ev, name: 'hls grab', time: iso(5500) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const done = await waitForAsset(r.body.id);
    expect(done.stateString, done.failureReason).toBe('COMPLETED');
    // ffmpeg's own HLS segments: the seek lands on the segment's first keyframe (docs/media.md).
    expect(metricValue(await scrape(worker), 'framesmith_frame_locate_total', window)).toBeGreaterThan(before);
    const stats = await sharp(await fetchLocal(done.url)).stats();
    const mean = stats.channels.slice(0, 3).reduce((s, c) => s + c.mean, 0) / 3;
    expect(Math.abs(mean - level(137))).toBeLessThan(3);
  });

  it('grabs at an HH:mm:ss offset on the HLS clock too', async () => {
    const r = await api('POST', '/api/asset/image/', { eventId: ev, name: 'hls offset grab', time: '00:00:04' });
    const done = await waitForAsset(r.body.id);
    const stats = await sharp(await fetchLocal(done.url)).stats();
    expect(Math.abs(stats.channels[0]!.mean - level(100))).toBeLessThan(3);
  });

  it('makes a GIF between two instants with the right first frame and frame count', async () => {
    const r = await api('POST', '/api/asset/gif/', { clip: { eventId: ev, start: iso(2000), end: iso(3000) }, name: 'hls gif', fps: 10 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const done = await waitForAsset(r.body.id);
    expect(done.stateString, done.failureReason).toBe('COMPLETED');
    const gif = await fetchLocal(done.url);
    const info = inspectGif(gif);
    expect(info.frames).toHaveLength(10);
    const first = await sharp(gif, { page: 0 }).stats();
    expect(Math.abs(first.channels[0]!.mean - level(50))).toBeLessThan(4);
  });

  it('refuses an instant outside the playlist', async () => {
    const r = await api('POST', '/api/asset/image/', { eventId: ev, name: 'too late', time: iso(3_600_000) });
    expect(r.status).toBe(400);
    expect(r.body.errorType).toBe('ValidationError');
  });
});
