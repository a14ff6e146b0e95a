// The keyframe clip (frameAccurate false): the source's packets copied from the keyframe at or
// before the start, cut at the end. Two cases re-encode the same keyframe-aligned frames
// instead: an H.264 keyframe that is not IDR, and a source whose seek gives nothing (HLS with
// fMP4 segments in ffmpeg 5.1), since a copy read from the beginning cannot be cut at the
// keyframe (output -ss with -t copied no video, measured).
import { rm } from 'node:fs/promises';
import { log } from '@framesmith/core/ops/lifecycle';
import { onExitFailure } from '@framesmith/core/media/run-process';
import { copyStart, frameOnScreen, inputStartArgs, justBefore, keyframeAtOrBefore, type InputStart, sourceTime } from '@framesmith/core/media/source-clock';
import { BadInputError } from '@framesmith/worker-kit/activity-kit';
import { clipCopyArgs } from './clip/clip-args.js';
import { mapArgs } from './clip/clip-tracks.js';
import { firstCopiedSliceArgs, isIdrPicture } from './clip/clip-x264.js';
import { type ClipJob, type ExactSpan, exactSpan, frameSeconds, type MadeClip, makeListed, reencodeSpan } from './clip-job.js';

export async function keyframeClip(c: ClipJob): Promise<MadeClip> {
  const { src, job, timeline, origin, fps, start, end } = c;
  const key = keyframeAtOrBefore(timeline.keyframePackets, sourceTime(origin, start)) ?? timeline.keyframePackets[0];
  if (key === undefined) throw new BadInputError('the source has no keyframe to start a copy at');
  const keyframe = key.pts;
  const from = copyStart(c.seekable, key);
  let reencodedSpan: ExactSpan | null = null;
  // The IDR check reads one packet while the copy runs: the copy is thrown away in the rare
  // case the keyframe turns out not to be IDR.
  const [idr, copied] = await Promise.allSettled([
    notIdr(c, from),
    makeListed(c, from, async (at, fallback) => {
      if (!fallback) {
        await c.run.ffmpeg(
          clipCopyArgs({
            input: src.input,
            inputOptions: src.inputOptions,
            start: at,
            end: sourceTime(origin, end),
            maps: mapArgs(c.tracks),
            audio: c.tracks.audio,
            copyTs: job.copyTs,
            timescale: c.timescale,
            output: c.output,
          }),
          { phase: 'copy', frames: Math.max(1, Math.round((origin + end - keyframe) * (fps ?? 25))), from: 0.05, to: 0.95 },
        );
        return;
      }
      log('worker-gpu', 'keyframe clip re-encoded: the source cannot be seeked for a copy', { assetId: job.assetId });
      reencodedSpan = exactSpan(timeline, origin, fps, keyframe - origin, end);
      await reencodeSpan(c, at, reencodedSpan, pickAtFirst(c, reencodedSpan.first));
    }),
  ]);
  if (idr.status === 'rejected') throw idr.reason;
  if (idr.value) {
    // Re-encoded from the keyframe: the copy would not decode cleanly.
    log('worker-gpu', 'keyframe clip re-encoded: the H.264 keyframe is not IDR', { assetId: job.assetId });
    const span = exactSpan(timeline, origin, fps, keyframe - origin, end);
    await rm(c.output, { force: true });
    await reencodeSpan(c, from, span, pickAtFirst(c, span.first));
    return reencoded(c, keyframe, span, null);
  }
  if (copied.status === 'rejected') throw copied.reason;
  const packets = copied.value;
  if (reencodedSpan !== null) return reencoded(c, keyframe, reencodedSpan, packets);
  return {
    used: 'stream-copy',
    check: { file: c.output, copied: true, packets, expect: { frameSeconds: frameSeconds(c), start, end, firstFrame: keyframe - origin, clockStart: job.copyTs ? keyframe : 0, exactCount: null } },
  };
}

/**
 * An H.264 keyframe that is not IDR (x264 --open-gop's recovery-point I pictures, which
 * mkvmerge flags as keyframes): a copy from it does not decode cleanly (its memory management
 * commands name frames from before it: "mmco: unref short failure", the corpus's
 * x264-open-gop). The packet listing cannot tell: that source's keyframes have no leading
 * pictures after them in decode order (measured), so the first slice is read for every H.264 copy.
 */
async function notIdr(c: ClipJob, from: InputStart): Promise<boolean> {
  if (c.primary.codec !== 'h264') return false;
  const slice = await c.run.bytes(firstCopiedSliceArgs({ input: c.src.input, inputOptions: c.src.inputOptions, startArgs: inputStartArgs(from), streamIndex: c.primary.index })).catch(onExitFailure(Buffer.alloc(0)));
  return isIdrPicture(slice) === false;
}

/** Just before the listed frame at `first`: a re-encode keeps the frames from there on. */
function pickAtFirst(c: ClipJob, first: number): number {
  return justBefore(frameOnScreen(c.timeline.frames, first)!, c.fps ? 1 / c.fps : 0);
}

function reencoded(c: ClipJob, keyframe: number, span: ExactSpan, packets: MadeClip['check']['packets']): MadeClip {
  const { origin, end, job } = c;
  return {
    used: 'full-reencode',
    check: {
      file: c.output,
      copied: false,
      packets,
      expect: { frameSeconds: frameSeconds(c), start: keyframe - origin, end, firstFrame: span.first - origin, clockStart: job.copyTs ? span.first : 0, exactCount: span.count },
    },
  };
}
