// The worker's own functions run in this process on the benchmark's media, with traced tools
// (profile-job.ts): the phase breakdown of one job without Temporal in the way. The worker
// modules are imported when needed, so a half-finished worker fails its profile, not the run.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@framesmith/core/config';
import type { GifJob, ImageJob, VideoJob } from '@framesmith/core/domain/job';
import type { VideoStrategy } from '../../workers/gpu/src/clip/video-strategy.js';
import { createLocalStorage } from '@framesmith/core/storage';
import { parseClipTime, type ClipTime } from '@framesmith/core/time';
import { formatProfile, type JobProfile, makeTracedTools, profileJob, type TracedTools } from './profile-job.js';
import type { BenchContext } from './scenario.js';

function time(text: string): ClipTime {
  const t = parseClipTime(text);
  if (!t) throw new Error(`bad time ${text}`);
  return t;
}

async function withTools<T>(ctx: BenchContext, fn: (deps: { config: ReturnType<typeof loadConfig>; storage: ReturnType<typeof createLocalStorage>; tools: TracedTools; shorten: (a: string) => string }) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'framesmith-bench-trace-'));
  try {
    const tools = await makeTracedTools(dir, { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', gifski: ctx.gifski });
    const config = loadConfig({ ...process.env, STORAGE_ROOT: ctx.storageRoot, FFMPEG_PATH: tools.ffmpeg, FFPROBE_PATH: tools.ffprobe });
    const storage = createLocalStorage(ctx.storageRoot);
    const src = path.join(ctx.storageRoot, ctx.mp4Rel);
    const shorten = (args: string) => {
      const words = args.replaceAll(src, 'SRC').split(' ');
      const frames = words.filter((w) => /\/f\d+\.png$/.test(w)).length;
      const kept = words.filter((w) => !/\/f\d+\.png$/.test(w)).map((w) => (w.includes('/') ? path.basename(w) : w));
      const text = kept.join(' ') + (frames > 1 ? ` [${frames} PNG frames]` : '');
      return text.length > 160 ? `${text.slice(0, 157)}...` : text;
    };
    return await fn({ config, storage, tools, shorten });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const base = (ctx: BenchContext, ext: string) => ({
  assetId: randomUUID(),
  eventId: ctx.eventId,
  source: { kind: 'file' as const, path: ctx.mp4Rel },
  outputPath: `${path.dirname(ctx.mp4Rel)}/profile-${randomUUID().slice(0, 8)}.${ext}`,
});

async function finish(ctx: BenchContext, p: JobProfile): Promise<JobProfile> {
  const out = (p.result as { path?: string } | null)?.path;
  if (out) await rm(path.join(ctx.storageRoot, out), { force: true });
  return p;
}

export async function profileImage(ctx: BenchContext, at: string): Promise<JobProfile> {
  const { makeImage } = await import('../../workers/cpu/src/make-image.js');
  return withTools(ctx, async ({ config, storage, tools, shorten }) => {
    const job: ImageJob = { ...base(ctx, 'jpg'), kind: 'image', time: time(at) };
    return finish(ctx, await profileJob(tools, shorten, (jc) => makeImage({ config, storage }, job, jc)));
  });
}

export async function profileGif(ctx: BenchContext, g: { start: string; end: string; fps: number; width: number }): Promise<JobProfile> {
  const { makeGif } = await import('../../workers/cpu/src/make-gif.js');
  return withTools(ctx, async ({ config, storage, tools, shorten }) => {
    const job: GifJob = { ...base(ctx, 'gif'), kind: 'gif', start: time(g.start), end: time(g.end), fps: g.fps, width: g.width, height: null, playbackRepeats: 0, reverse: false, playbackSpeed: 1 };
    return finish(ctx, await profileJob(tools, shorten, (jc) => makeGif({ config, storage, gifskiPath: tools.gifski }, job, jc)));
  });
}

export async function profileVideo(ctx: BenchContext, c: { start: string; end: string; frameAccurate: boolean }): Promise<JobProfile> {
  const { makeVideo } = await import('../../workers/gpu/src/make-video.js');
  // On a GPU machine, profile what the GPU worker picks on Hopper: NVDEC decode, libx264.
  const strategy: VideoStrategy | null = ctx.gpu ? { name: 'nvdec-x264', decode: 'nvdec', encode: 'libx264', gpu: 0 } : null;
  return withTools(ctx, async ({ config, storage, tools, shorten }) => {
    const job: VideoJob = { ...base(ctx, 'mp4'), kind: 'video', start: time(c.start), end: time(c.end), filter: null, mezzanine: false, frameAccurate: c.frameAccurate, copyTs: false };
    return finish(ctx, await profileJob(tools, shorten, (jc) => makeVideo({ config, storage, chooseStrategy: strategy ? () => strategy : undefined }, job, jc)));
  });
}

export { formatProfile };
