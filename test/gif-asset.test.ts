// GIF assets end to end: POST /api/asset/gif/, the workflow on the real Temporal dev server,
// the CPU worker running real ffmpeg and gifski, and the GIF served at its url, read back
// block by block (inspectGif) and decoded (sharp) to check timing, size, loop and frame order.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectGif, type GifInfo } from './support/gif-inspect.js';
import { frameLuma } from '../scripts/stack/demo-media.js';
import { api, countRows, createEvent, testVideo, waitForAsset } from './support/api.js';

let eventId = '';

beforeAll(async () => {
  // 12 s, 25 fps, 320x180; the grey level of frame n is frameLuma(n).
  const vod = await testVideo('gif-test/vod.mp4');
  eventId = (await createEvent(vod)).id;
});

async function makeGif(options: Record<string, unknown>, clip: { start: string; end: string }): Promise<{ done: any; gif: Buffer; info: GifInfo }> {
  const r = await api('POST', '/api/asset/gif/', { name: 'gif', ...options, clip: { eventId, ...clip } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const done = await waitForAsset(r.body.id);
  expect(done.stateString, done.failureReason).toBe('COMPLETED');
  const file = await fetch(done.url.replace('localhost', '127.0.0.1'));
  expect(file.status).toBe(200);
  expect(file.headers.get('content-type')).toBe('image/gif');
  const gif = Buffer.from(await file.arrayBuffer());
  return { done, gif, info: inspectGif(gif) };
}

const SIX_SECONDS = { start: '00:00:02', end: '00:00:08' };
const delays = (info: GifInfo) => info.frames.map((f) => f.delayCs);
const total = (info: GifInfo) => delays(info).reduce((a, b) => a + b, 0);

/**
 * The source frame each GIF frame (the first `count`, default all) shows, told apart by its
 * grey level among source frames lo..lo+30 (frameLuma repeats every 220 frames).
 */
async function framesShown(gif: Buffer, lo: number, count = -1): Promise<{ frame: number; level: number }[]> {
  const img = sharp(gif, { pages: count });
  const meta = await img.metadata();
  // A single-frame GIF reports no pages and no page height.
  const { width } = meta;
  const pageHeight = meta.pageHeight ?? meta.height;
  const pages = meta.pages ?? 1;
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  const pixels = width! * pageHeight!;
  const out: { frame: number; level: number }[] = [];
  const decoded = count > 0 ? Math.min(count, pages) : pages; // metadata counts every page of the file
  expect(data.length).toBe(decoded * pixels * info.channels);
  for (let p = 0; p < decoded; p++) {
    let sum = 0;
    for (let i = p * pixels * info.channels; i < (p + 1) * pixels * info.channels; i += info.channels) sum += data[i]!;
    const level = sum / pixels;
    const luma = (level * 219) / 255 + 16;
    let frame = lo;
    for (let f = lo; f <= lo + 30; f++) if (Math.abs(frameLuma(f) - luma) < Math.abs(frameLuma(frame) - luma)) frame = f;
    expect(Math.abs(frameLuma(frame) - luma), `GIF frame ${p}`).toBeLessThan(2);
    out.push({ frame, level });
  }
  return out;
}

describe('GIF asset', () => {
  it('defaults: 18 fps, the source size (under 480 px), looping forever', async () => {
    const { done, info } = await makeGif({ name: 'Six seconds' }, SIX_SECONDS);
    expect(done).toMatchObject({ type: 3, typeString: 'GIF', extension: 'gif', path: 'gif-test/six-seconds.gif' });
    expect(done.url).toMatch(/\/content\/gif-test\/six-seconds\.gif$/);
    expect(info).toMatchObject({ width: 320, height: 180, loopCount: 0 });
    expect(info.frames).toHaveLength(108); // 6 s × 18 fps
    // 18 fps is 5.56 cs a frame: GIF delays are whole centiseconds, gifski alternates 6 and 5.
    expect(new Set(delays(info))).toEqual(new Set([5, 6]));
    expect(Math.abs(total(info) - 600)).toBeLessThanOrEqual(1);
  });

  it('fps 10: exactly 10 cs a frame, seconds × 10 frames', async () => {
    const { info } = await makeGif({ fps: 10 }, { start: '00:00:02', end: '00:00:05' });
    expect(delays(info)).toEqual(Array(30).fill(10));
  });

  it('width only keeps the aspect (nearest pixel, odd allowed); width and height are taken as given', async () => {
    const a = await makeGif({ fps: 10, width: 200 }, { start: '00:00:01', end: '00:00:02' });
    expect(a.info).toMatchObject({ width: 200, height: 113 }); // 180 × 200 / 320 = 112.5
    const b = await makeGif({ fps: 10, height: 99 }, { start: '00:00:01', end: '00:00:02' });
    expect(b.info).toMatchObject({ width: 176, height: 99 });
    const c = await makeGif({ fps: 10, width: 100, height: 100 }, { start: '00:00:01', end: '00:00:02' });
    expect(c.info).toMatchObject({ width: 100, height: 100 });
    expect(c.info.frames.every((f) => f.left + f.width <= 100 && f.top + f.height <= 100)).toBe(true);
  });

  it('playbackRepeats: -1 writes no loop block (plays once), 0 loops forever, n writes loop count n', async () => {
    // The NETSCAPE2.0 loop count n means n repetitions after the first play, the contract's
    // "n repetitions"; gifski's --repeat has exactly these semantics.
    for (const [repeats, loopCount] of [[-1, null], [0, 0], [3, 3]] as const) {
      const { info } = await makeGif({ fps: 10, playbackRepeats: repeats }, { start: '00:00:01', end: '00:00:02' });
      expect(info.loopCount, `playbackRepeats ${repeats}`).toBe(loopCount);
      expect(info.frames).toHaveLength(10);
    }
  });

  it('playbackSpeed 2.0 keeps half the frames at the same delays; 0.0 is a single still of the start', async () => {
    const fast = await makeGif({ playbackSpeed: 2 }, SIX_SECONDS);
    expect(fast.info.frames).toHaveLength(54);
    expect(new Set(delays(fast.info))).toEqual(new Set([5, 6]));
    expect(Math.abs(total(fast.info) - 300)).toBeLessThanOrEqual(1);
    const fastFrames = await framesShown(fast.gif, 50, 8);
    expect(fastFrames.map((f) => f.frame)).toEqual([50, 52, 55, 58, 61, 63, 66, 69]); // floor((2 + i/9) × 25)

    const still = await makeGif({ playbackSpeed: 0 }, { start: '00:00:05.500', end: '00:00:08' });
    expect(still.info.frames).toHaveLength(1);
    expect((await framesShown(still.gif, 130)).map((f) => f.frame)).toEqual([137]); // on screen 5.48 .. 5.52 s
  });

  it('reverse plays the same frames backwards', async () => {
    // 1.4 s .. 2.4 s at 10 fps shows frames 35, 37, 40, ... 57, whose grey level rises steadily.
    const clip = { start: '00:00:01.400', end: '00:00:02.400' };
    const forward = await framesShown((await makeGif({ fps: 10 }, clip)).gif, 35);
    expect(forward.map((f) => f.frame)).toEqual([35, 37, 40, 42, 45, 47, 50, 52, 55, 57]);
    expect(forward.every((f, i) => i === 0 || f.level > forward[i - 1]!.level)).toBe(true);

    const { gif, info } = await makeGif({ fps: 10, reverse: true }, clip);
    expect(delays(info)).toEqual(Array(10).fill(10));
    const backward = await framesShown(gif, 35);
    expect(backward.map((f) => f.frame)).toEqual([57, 55, 52, 50, 47, 45, 42, 40, 37, 35]);
    expect(backward.every((f, i) => i === 0 || f.level < backward[i - 1]!.level)).toBe(true);
  });

  describe('rejects bad options with a 400 ValidationError, writing nothing', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['fps 0', { fps: 0 }],
      ['fps above the limit', { fps: 51 }],
      ['fractional fps', { fps: 12.5 }],
      ['playbackSpeed -1', { playbackSpeed: -1 }],
      ['playbackSpeed above 10', { playbackSpeed: 10.5 }],
      ['width 99999', { width: 99999 }],
      ['height 0', { height: 0 }],
      ['playbackRepeats -2', { playbackRepeats: -2 }],
      ['playbackRepeats 65536', { playbackRepeats: 65536 }],
      ['reverse not a boolean', { reverse: 'yes' }],
    ];
    for (const [what, options] of cases) {
      it(what, async () => {
        const before = await countRows('assets');
        const r = await api('POST', '/api/asset/gif/', { name: 'bad', ...options, clip: { eventId, start: '00:00:01', end: '00:00:02' } });
        expect(r.status).toBe(400);
        expect(r.body).toEqual({ exceptionType: expect.any(String), exceptionMessage: expect.stringMatching(/^Unable to /), errorType: 'ValidationError', data: expect.any(Object) });
        expect(await countRows('assets')).toBe(before);
      });
    }
  });
});
