// makeGif against the real ffmpeg and gifski on generated media, without the stack: exact
// frame timing for awkward starts and speeds, progress, and the frame folder always removed.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GifJob } from '@framesmith/core/domain/job';
import { inspectGif } from '../../../test/support/gif-inspect.js';
import { ProcessCancelledError } from '@framesmith/core/media/run-process';
import { BadInputError, type JobContext } from '@framesmith/worker-kit/activity-kit';
import { frameLuma, makeTestVideo } from '../../../scripts/stack/demo-media.js';
import { makeGif } from './make-gif.js';
import { type JobWorkspace, jobWorkspace } from '../test/job-workspace.js';

let ws: JobWorkspace;
let frameRoot = '';
let deps: Parameters<typeof makeGif>[0];

beforeAll(async () => {
  ws = await jobWorkspace('make-gif');
  ({ frameRoot, deps } = ws);
  await makeTestVideo('ffmpeg', path.join(ws.sources, 'vod.mp4'), { seconds: 6, fps: 25, width: 160, height: 90, gop: 50, audio: false });
});
afterAll(async () => {
  await ws?.remove();
});

let n = 0;
function job(o: Partial<Omit<GifJob, 'start' | 'end'>> & { start: number; end: number }): GifJob {
  const { start, end, ...rest } = o;
  return {
    kind: 'gif',
    assetId: 'a',
    eventId: 'e',
    source: { kind: 'file', path: 'src/vod.mp4' },
    outputPath: `src/out-${n++}.gif`,
    start: { kind: 'offset', seconds: start },
    end: { kind: 'offset', seconds: end },
    fps: 10,
    width: null,
    height: null,
    playbackRepeats: 0,
    reverse: false,
    playbackSpeed: 1,
    ...rest,
  };
}

function context(signal = new AbortController().signal) {
  const seen: number[] = [];
  const ctx: JobContext = { signal, progress: (f) => seen.push(f), defer: () => undefined };
  return { ctx, seen };
}

/** The source frame each GIF frame shows, told apart by its grey level within frames lo..lo+30. */
async function framesShown(gif: Buffer, lo: number): Promise<number[]> {
  const img = sharp(gif, { animated: true });
  const { width, pageHeight, pages } = await img.metadata();
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  const page = width! * pageHeight! * info.channels;
  const shown: number[] = [];
  for (let p = 0; p < pages!; p++) {
    let sum = 0;
    for (let i = p * page; i < (p + 1) * page; i += info.channels) sum += data[i]!;
    const luma = (sum / (page / info.channels)) * (219 / 255) + 16;
    let best = lo;
    for (let f = lo; f <= lo + 30; f++) if (Math.abs(frameLuma(f) - luma) < Math.abs(frameLuma(best) - luma)) best = f;
    expect(Math.abs(frameLuma(best) - luma), `page ${p}`).toBeLessThan(2);
    shown.push(best);
  }
  return shown;
}

/** Frame on screen at `t` in the 25 fps source. */
const onScreen = (t: number) => Math.floor(t * 25 + 1e-6);

describe('makeGif', () => {
  it('shows the frame on screen at start + i × speed / fps, for a start inside a frame', async () => {
    const { ctx, seen } = context();
    const r = await makeGif(deps, job({ start: 2.03, end: 3.03 }), ctx);
    expect(r).toMatchObject({ strategy: 'cpu', path: expect.stringMatching(/^src\/out-\d+\.gif$/) });
    const gif = await readFile(path.join(deps.config.storageRoot, r.path));
    expect(r.size).toBe(gif.length);
    const info = inspectGif(gif);
    expect(info.frames.map((f) => f.delayCs)).toEqual(Array(10).fill(10));
    expect(await framesShown(gif, 50)).toEqual([...Array(10).keys()].map((i) => onScreen(2.03 + i / 10)));
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1]!)).toBe(true);
    expect(seen.some((v) => v > 0.05 && v <= 0.6)).toBe(true);
  });

  it('samples a fractional speed on the exact grid', async () => {
    const { ctx } = context();
    const r = await makeGif(deps, job({ start: 1, end: 1.5, fps: 18, playbackSpeed: 0.7 }), ctx);
    const gif = await readFile(path.join(deps.config.storageRoot, r.path));
    // round(0.5 s × 18 / 0.7) = 13 output frames; several show the same source frame, and
    // gifski merges identical neighbours into one longer frame.
    const expected = [...Array(13).keys()].map((i) => onScreen(1 + (i * 0.7) / 18)).filter((f, i, a) => i === 0 || f !== a[i - 1]);
    expect(await framesShown(gif, 25)).toEqual(expected);
  });

  it('reverses by frame order and keeps the timing', async () => {
    const { ctx } = context();
    const r = await makeGif(deps, job({ start: 0, end: 1, reverse: true, playbackSpeed: 2, fps: 10 }), ctx);
    const gif = await readFile(path.join(deps.config.storageRoot, r.path));
    expect(await framesShown(gif, 0)).toEqual([20, 15, 10, 5, 0]);
  });

  it('refuses a clip that would need too many frames before starting any process', async () => {
    const { ctx } = context();
    const max = deps.config.limits.maxGifSeconds * deps.config.limits.maxFps;
    const err = await makeGif(deps, job({ start: 0, end: 5, fps: 50, playbackSpeed: 0.1 }), ctx).catch((e) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect(err.message).toBe(`the GIF would have 2500 frames (5.000 s at 50 fps and speed 0.1); at most ${max} are allowed (shorten the clip, lower fps or raise playbackSpeed)`);
    const tall = await makeGif(deps, job({ start: 0, end: 1, height: 1920 }), ctx).catch((e) => e);
    expect(tall).toBeInstanceOf(BadInputError);
    expect(tall.message).toMatch(/3413x1920, above the 1920-pixel limit/);
  });

  it('removes the frame folder after a failure and after cancellation', async () => {
    const { ctx } = context();
    const broken = await makeGif({ ...deps, gifskiPath: '/nonexistent/gifski' }, job({ start: 0, end: 1 }), ctx).catch((e) => e);
    expect(broken.name).toBe('BinaryMissingError');
    expect(await readdir(frameRoot)).toEqual([]);

    const abort = new AbortController();
    const c = context(abort.signal);
    // Abort once ffmpeg reports frames: the folder then holds PNGs.
    c.ctx.progress = (f) => {
      if (f > 0.05) abort.abort();
    };
    const cancelled = await makeGif(deps, job({ start: 0, end: 5 }), c.ctx).catch((e) => e);
    expect(cancelled).toBeInstanceOf(ProcessCancelledError);
    expect(await readdir(frameRoot)).toEqual([]);
    expect(await readdir(path.join(deps.config.storageRoot, '.scratch')).catch(() => [])).toEqual([]);
  });
});
