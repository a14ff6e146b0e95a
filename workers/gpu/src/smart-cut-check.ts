// The smart cut's own check of the joined clip before it is accepted (clip-verify.ts says
// what is compared): every packet on the frame clock, and the joins decoded, their copied
// frames compared with the source's decode. The clip's windows are decoded in one ffmpeg run
// and the source's in another, side by side.
import type { SmartCutPlan } from './clip/clip-smart-cut.js';
import { checkJoinedClip, type DecodedWindow, framecrcWindowsArgs, JOIN_PROBE_FRAMES, joinWindows, parseFramecrcStreams } from './clip/clip-verify.js';
import { type FrameTimeline, frameIndexAt, type VideoPacket } from '@framesmith/core/media/keyframes';
import type { OpenedSource } from '@framesmith/core/media/open-source';
import { FILE_ONLY, type Runner } from './clip-runner.js';

export interface JoinCheckInput {
  src: OpenedSource;
  videoIndex: number;
  plan: Extract<SmartCutPlan, { kind: 'smart-cut' }>;
  timeline: FrameTimeline;
  origin: number;
  fps: number;
  /** The joined clip. */
  output: string;
  /** Source time of frame n, as listed. */
  at: (n: number) => number;
}

/**
 * Why the joined clip is not what the plan promised, or its packets (listed once: the final
 * verification reuses them).
 */
export async function checkJoins(run: Runner, s: JoinCheckInput): Promise<string | { packets: VideoPacket[] }> {
  const { plan, timeline, origin, fps } = s;
  const n = plan.clip.count;
  const middleEnd = plan.middle.first + plan.middle.count;
  const keys = timeline.keyframes.map((k) => frameIndexAt(k, origin, fps)).filter((k) => k >= plan.middle.first && k < middleEnd);
  const firstGopEnd = keys.find((k) => k > plan.middle.first) ?? middleEnd;
  const lastKey = keys[keys.length - 1] ?? plan.middle.first;
  const windows = joinWindows({
    frameCount: n,
    firstCopied: plan.middle.first - plan.clip.first,
    firstCopiedGopEnd: firstGopEnd - plan.clip.first,
    lastCopiedKeyframe: lastKey - plan.clip.first,
    tailStart: middleEnd - plan.clip.first,
  });
  // The source's decode of the copied frames those windows cover.
  const sourceGops =
    windows.length === 1
      ? [...new Map([[plan.middle.first, firstGopEnd], [lastKey, middleEnd]]).entries()]
      : [
          [plan.middle.first, Math.min(firstGopEnd, plan.middle.first + JOIN_PROBE_FRAMES)] as const,
          [lastKey, Math.min(middleEnd, lastKey + JOIN_PROBE_FRAMES)] as const,
        ];
  const decode = async (input: string, inputOptions: string[], stream: string, ws: readonly { at: number; from: number | null; frames: number }[]): Promise<DecodedWindow[]> => {
    const streams = parseFramecrcStreams((await run.bytes(framecrcWindowsArgs({ input, inputOptions, stream, windows: ws }))).toString('utf8'));
    return ws.map((w, i) => ({ at: w.at, expected: w.frames, crcs: (streams[i] ?? []).map((f) => f.crc) }));
  };
  // The source's decode does not depend on the clip: it runs while the clip's packets are listed.
  const copied = decode(s.src.input, s.src.inputOptions, String(s.videoIndex), sourceGops.map(([from, to]) => ({ at: from - plan.clip.first, from: s.at(from), frames: to - from })));
  copied.catch(() => {}); // handled below; a failure while the listing runs must not go unhandled
  let packets: VideoPacket[];
  try {
    packets = await run.clipPackets(s.output);
  } catch (err) {
    await copied.catch(() => {});
    throw err;
  }
  const times = packets.map((p) => p.pts ?? Number.NaN).sort((a, b) => a - b);
  if (times.length !== n) {
    await copied.catch(() => {});
    return `it has ${times.length} frames, expected ${n}`;
  }
  const [decoded, copiedWindows] = await Promise.all([
    decode(s.output, FILE_ONLY, 'v:0', windows.map((w) => ({ at: w.at, from: w.at === 0 ? null : times[w.at]!, frames: w.count }))),
    copied,
  ]);
  return checkJoinedClip({ times, frameCount: n, fps, decoded, copied: copiedWindows }) ?? { packets };
}
