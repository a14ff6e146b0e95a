// makeImage against the real ffmpeg and sharp on generated media, without the stack: the frame
// on screen at the time (window grab and listed grab), and the frame folder always removed.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageJob } from '@framesmith/core/domain/job';
import { ProcessCancelledError, runProcess } from '@framesmith/core/media/run-process';
import type { JobContext } from '@framesmith/worker-kit/activity-kit';
import { frameLuma, makeTestVideo } from '../../../scripts/stack/demo-media.js';
import { makeImage } from './make-image.js';
import { type JobWorkspace, jobWorkspace } from '../test/job-workspace.js';

let ws: JobWorkspace;
let root = '';
let frameRoot = '';
let deps: Parameters<typeof makeImage>[0];

beforeAll(async () => {
  ws = await jobWorkspace('make-image');
  ({ root, frameRoot, deps } = ws);
  const video = { seconds: 4, fps: 25, width: 160, height: 90, gop: 50, audio: false };
  await makeTestVideo('ffmpeg', path.join(ws.sources, 'vod.mp4'), video);
  // MPEG-TS: no index, so the frame is found in the listed frame times.
  await makeTestVideo('ffmpeg', path.join(ws.sources, 'vod.ts'), video);
  // A picture that grows mid-stream: 2 s at 160x90, then 2 s at 320x180, joined without re-encoding.
  const bigger = { ...video, seconds: 2, width: 320, height: 180 };
  await makeTestVideo('ffmpeg', path.join(root, 'a.ts'), { ...video, seconds: 2 });
  await makeTestVideo('ffmpeg', path.join(root, 'b.ts'), bigger);
  await writeFile(path.join(root, 'join.txt'), "file 'a.ts'\nfile 'b.ts'\n");
  await runProcess('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', path.join(root, 'join.txt'), '-c', 'copy', path.join(ws.sources, 'grows.ts')], { timeoutMs: 60_000 });
});
afterAll(async () => {
  await ws?.remove();
});

let n = 0;
function job(file: string, seconds: number): ImageJob {
  return { kind: 'image', assetId: 'a', eventId: 'e', source: { kind: 'file', path: `src/${file}` }, outputPath: `src/out-${n++}.jpg`, time: { kind: 'offset', seconds } };
}

const context = (signal = new AbortController().signal): JobContext => ({ signal, progress: () => undefined, defer: () => undefined });

/** The generated video's frame number from a JPEG's mean luma (each frame has its own grey). */
async function frameShown(rel: string): Promise<number> {
  const { data } = await sharp(path.join(root, 'storage', rel)).greyscale().raw().toBuffer({ resolveWithObject: true });
  const mean = data.reduce((a, b) => a + b, 0) / data.length;
  // Full-range grey back to the limited-range luma the frame was made with.
  const luma = Math.round(16 + (mean * 219) / 255);
  return [...Array(100).keys()].reduce((best, f) => (Math.abs(frameLuma(f) - luma) < Math.abs(frameLuma(best) - luma) ? f : best), 0);
}

describe('makeImage', () => {
  it('grabs the frame on screen at the time from an MP4 (window) and an MPEG-TS (listing)', async () => {
    for (const file of ['vod.mp4', 'vod.ts']) {
      // 1.23 s at 25 fps: frame 30 (1.20 s) is on screen until 1.24 s.
      const r = await makeImage(deps, job(file, 1.23), context());
      expect([file, await frameShown(r.path)]).toEqual([file, 30]);
      const meta = await sharp(path.join(root, 'storage', r.path)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 160, 90]);
    }
    expect(await readdir(frameRoot)).toEqual([]);
  });

  it('refuses a frame whose size changed after the probed part as bad input, also past the pixel limit', async () => {
    const limited = { ...deps, config: { ...deps.config, limits: { ...deps.config.limits, maxSourcePixels: 160 * 90 * 2 } } };
    for (const d of [deps, limited]) {
      const err = await makeImage(d, job('grows.ts', 3), context()).catch((e) => e);
      expect([err.name, err.message]).toEqual(['BadInputError', 'the decoded frame is 320x180, expected 160x90 (the probed size)']);
    }
    expect(await readdir(frameRoot)).toEqual([]);
  });

  it('removes the frame folder after a failure and after cancellation', async () => {
    const broken = { ...deps, config: { ...deps.config, ffmpegPath: '/nonexistent/ffmpeg' } };
    const err = await makeImage(broken, job('vod.mp4', 1), context()).catch((e) => e);
    expect(err.name).toBe('BinaryMissingError');
    expect(await readdir(frameRoot)).toEqual([]);
    const abort = new AbortController();
    abort.abort();
    const cancelled = await makeImage(deps, job('vod.mp4', 1), context(abort.signal)).catch((e) => e);
    expect(cancelled).toBeInstanceOf(ProcessCancelledError);
    expect(await readdir(frameRoot)).toEqual([]);
    expect(await readdir(path.join(deps.config.storageRoot, '.scratch')).catch(() => [])).toEqual([]);
  });
});
