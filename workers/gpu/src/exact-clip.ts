// The frame-accurate clip (frameAccurate true): exactly the frames start <= t < end, by smart
// cut (smart-cut.ts: edges re-encoded, whole GOPs copied) when joining is safe and pays off,
// and by a full re-encode of the span otherwise.
import { rm } from 'node:fs/promises';
import { log } from '@framesmith/core/ops/lifecycle';
import type { VideoPacket } from '@framesmith/core/media/keyframes';
import { decodeStart, frameOnScreen, justBefore, keyframeAtOrBefore } from '@framesmith/core/media/source-clock';
import { BadInputError } from '@framesmith/worker-kit/activity-kit';
import { smartCutBlocker, smartCutPaysOff } from './clip/clip-smart-cut.js';
import { type ClipJob, exactSpan, type ExactSpan, frameSeconds, type MadeClip, makeListed, reencodeSpan } from './clip-job.js';
import { planClipSmartCut, smartCut } from './smart-cut.js';

export async function exactClip(c: ClipJob, smartCutMinCopiedPixels: number): Promise<MadeClip> {
  const { job, timeline, origin, fps, start, end } = c;
  const span = exactSpan(timeline, origin, fps, start, end);
  if (span.count === 0) throw new BadInputError('the clip holds no frame of the source');
  const shown = frameOnScreen(timeline.frames, span.first)!;
  const check: MadeClip['check'] = {
    file: c.output,
    copied: false,
    expect: { frameSeconds: frameSeconds(c), start, end, firstFrame: span.first - origin, clockStart: job.copyTs ? span.first : 0, exactCount: span.count, startGap: shown.previous === null ? null : span.first - shown.previous },
  };
  const fallback = await trySmartCut(c, span, smartCutMinCopiedPixels);
  if (typeof fallback !== 'string') return { used: 'smart-cut', check: { ...check, packets: fallback.packets } };

  log('worker-gpu', 'clip re-encoded in full', { assetId: job.assetId, reason: fallback });
  c.ctx.progress(c.run.at, { phase: 'full-reencode', fallbackReason: fallback });
  // Reading starts where decoding reaches the first frame (source-clock.ts), and from the
  // beginning when that seek gave no pictures, trimmed the same way. The smart cut's upload,
  // begun before its check failed, goes with its file.
  await c.publish.discard();
  await rm(c.output, { force: true });
  const pickAt = justBefore(shown, fps ? 1 / fps : 0);
  const from = decodeStart(c.seekable, span.first, keyframeAtOrBefore(timeline.keyframePackets, span.first));
  const packets = await makeListed(c, from, (at) => reencodeSpan(c, at, span, pickAt));
  return { used: 'full-reencode', fallbackReason: fallback, check: { ...check, packets } };
}

/** Makes the clip by smart cut; returns its packets when done, or why a full re-encode is needed. */
async function trySmartCut(c: ClipJob, span: ExactSpan, minCopiedPixels: number): Promise<string | { packets: VideoPacket[] }> {
  const { timeline, origin, fps, start, end, primary } = c;
  const blocker = smartCutBlocker({
    codec: primary.codec,
    videoTracks: c.tracks.video.length,
    onGrid: timeline.onGrid && fps !== null,
    openGop: timeline.leadingPictures.size > 0,
  });
  if (blocker !== null) return blocker;
  // On the grid: the end is clamped to the last listed frame, so the plan cannot ask for
  // frames past the end of the stream.
  const lastOffset = timeline.frames[timeline.frames.length - 1]! - origin;
  const plan = planClipSmartCut({ timeline, origin, fps: fps!, start, end: Math.min(end, lastOffset + 1 / fps! - 1e-6) });
  if (plan.kind === 'full-reencode') return plan.reason;
  if (plan.clip.count !== span.count) return `the frame grid gives ${plan.clip.count} frames but ${span.count} are listed`;
  if (!smartCutPaysOff(plan, (primary.width ?? 0) * (primary.height ?? 0), minCopiedPixels)) return 'the copied part is too small for a smart cut to pay off';
  return smartCut(c.run, { src: c.src, strategy: c.strategy, job: c.job, tracks: c.tracks, plan, timeline, origin, fps: fps!, timescale: c.timescale, pixFmt: c.pixFmt, output: c.output, outputFinal: () => c.publish.begin() });
}
