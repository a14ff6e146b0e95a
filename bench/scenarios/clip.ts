// B3: a frame-accurate VIDEO clip through the pipeline (smart cut) vs a full libx264
// re-encode of the same frames by hand; both outputs are checked for exact first/last frames.
// B4: a keyframe clip (stream copy) through the pipeline vs a raw ffmpeg stream copy.
import path from 'node:path';
import { parseClipTime } from '@framesmith/core/time';
import { checkClipEdges, type EdgeCheck, timeCommand } from '../lib/media-checks.js';
import { phaseLine, ratioOutcome, timedAsset, tryProfile } from '../lib/pipeline-run.js';
import { type BenchContext, interleaved, ratioText, type Scenario, type ScenarioOutcome } from '../lib/scenario.js';
import { formatSeconds, summarize } from '../lib/stats.js';
import { judge } from '../lib/targets.js';
import { profileVideo } from '../lib/worker-profile.js';

/** Seconds of a request time that must be an offset (not a wall-clock time). */
export const offset = (t: string) => {
  const c = parseClipTime(t);
  if (c?.kind !== 'offset') throw new Error(`not an offset: ${t}`);
  return c.seconds;
};

/** The source frames start <= t < end: first and last frame numbers. */
export function clipFrames(start: number, end: number, fps: number): { first: number; last: number } {
  return { first: Math.ceil(start * fps - 1e-6), last: Math.ceil(end * fps - 1e-6) - 1 };
}

export function videoRequest(ctx: BenchContext, name: string, frameAccurate: boolean, c: { start: string; end: string } = ctx.params.clip) {
  return { name, clip: { eventId: ctx.eventId, start: c.start, end: c.end, filter: null }, frameAccurate, mezzanine: false, copyTs: false };
}

/** The frames B3's range must hold, for checkClipEdges. */
export function expectedEdges(ctx: BenchContext) {
  const { fps, width, height } = ctx.media.spec;
  const { first, last } = clipFrames(offset(ctx.params.clip.start), offset(ctx.params.clip.end), fps);
  return { first, last, fps, width, height };
}

/**
 * The exact full re-encode by hand, as docs/media.md gives it: seek to the first frame's own
 * time (rounded down to ffmpeg's microseconds, so the seek cannot skip past it), fix the count
 * with -frames:v. libx264 veryfast with its default quality, audio to AAC.
 */
export function reencodeByHand(src: string, first: number, count: number, fps: number, out: string): string[] {
  return [
    '-nostdin', '-v', 'error', '-y', '-ss', (Math.floor((first / fps) * 1e6) / 1e6).toFixed(6), '-i', src,
    '-map', '0:v:0', '-map', '0:a:0?', '-frames:v', String(count), '-c:v', 'libx264', '-preset', 'veryfast',
    '-c:a', 'aac', '-b:a', '128k', '-t', (count / fps).toFixed(6), out,
  ];
}

function copyByHand(src: string, start: string, seconds: number, out: string): string[] {
  return ['-nostdin', '-v', 'error', '-y', '-ss', start, '-i', src, '-t', seconds.toFixed(3), '-c', 'copy', out];
}

const profile = (ctx: BenchContext, frameAccurate: boolean) => tryProfile(() => profileVideo(ctx, { ...ctx.params.clip, frameAccurate }));

export const clipAccurate: Scenario = {
  id: 'B3',
  title: (p) => `VIDEO frame-accurate clip ${p.clip.start} → ${p.clip.end}`,
  async run(ctx): Promise<ScenarioOutcome> {
    const edges = expectedEdges(ctx);
    const { first, last, fps } = edges;
    const src = path.join(ctx.storageRoot, ctx.mp4Rel);
    const out = path.join(ctx.workDir, 'b3-by-hand.mp4');
    await timedAsset(ctx, 'video', videoRequest(ctx, 'b3 warm-up', true));
    const r = await interleaved(
      ctx.params.clipRuns,
      (i) => timedAsset(ctx, 'video', videoRequest(ctx, `b3 run ${i}`, true)),
      () => timeCommand('ffmpeg', reencodeByHand(src, first, last - first + 1, fps, out)),
    );
    const p = summarize(r.a.map((s) => s.seconds));
    const b = summarize(r.b);
    const ratio = p.median / b.median;
    const pipeEdges: EdgeCheck = await checkClipEdges(path.join(ctx.storageRoot, r.a[r.a.length - 1]!.finished.done.path), src, edges);
    const handEdges: EdgeCheck = await checkClipEdges(out, src, edges);
    const prof = await profile(ctx, true);
    const breakdown = [
      phaseLine(r.a),
      prof.line,
      `frames ${first}–${last} (${last - first + 1}); pipeline clip: ${pipeEdges.frames} frames, first matches ${pipeEdges.firstMatch}, last ${pipeEdges.lastMatch} (PSNR ${JSON.stringify(pipeEdges.firstPsnr)} / ${JSON.stringify(pipeEdges.lastPsnr)}); by-hand re-encode exact: ${handEdges.exact ? 'yes' : 'no'}`,
    ].filter((l): l is string => l !== null);
    return {
      row: {
        pipeline: `${formatSeconds(p)}, exact: ${pipeEdges.exact ? 'yes' : 'NO'}`,
        baseline: formatSeconds(b),
        ratio: ratioText(ratio),
      },
      ...judge('B3', { ratio, exact: pipeEdges.exact }),
      headline: ratioText(ratio),
      breakdown,
      data: { pipeline: p, baseline: b, ratio, pipelineEdges: pipeEdges, baselineEdges: handEdges, phases: r.a.map((s) => s.phases), profile: prof.profile },
    };
  },
};

export const clipCopy: Scenario = {
  id: 'B4',
  title: () => 'VIDEO keyframe clip of the same range',
  async run(ctx): Promise<ScenarioOutcome> {
    const src = path.join(ctx.storageRoot, ctx.mp4Rel);
    const out = path.join(ctx.workDir, 'b4-by-hand.mp4');
    const seconds = offset(ctx.params.clip.end) - offset(ctx.params.clip.start);
    const hand = () => timeCommand('ffmpeg', copyByHand(src, ctx.params.clip.start, seconds, out));
    await timedAsset(ctx, 'video', videoRequest(ctx, 'b4 warm-up', false));
    await hand();
    const r = await interleaved(ctx.params.runs, (i) => timedAsset(ctx, 'video', videoRequest(ctx, `b4 run ${i}`, false)), hand);
    return ratioOutcome({ id: 'B4', samples: r, profile: await profile(ctx, false) });
  },
};
