// Lists a video track's frames around a source time with ffprobe (packet flags, no decoding),
// for every operation that must know real frame times: VIDEO always, IMAGE and GIF where the
// container has no sample index or the rate is not constant (source-clock.ts).
import { type FrameTimeline, frameTimeline, type KeyframeListOptions, keyframeListArgs, parseKeyframeList, type VideoPacket } from './keyframes.js';
import { ProcessCancelledError, ProcessError, ProcessTimeoutError, runProcess } from './run-process.js';
import { decodeStart, frameOnScreen, type InputStart, justBefore, keyframeAtOrBefore, type SeekableSource, seeksByIndex } from './source-clock.js';

/** ffprobe stops at the first packet past the end in decode order; B-frames shown before it come later. */
export const LISTING_MARGIN_S = 2;
/** How far before the time a second listing starts when the first one began after it (MPEG-TS, HLS land after the seek point). */
export const LISTING_LOOKBACK_S = 10;

export interface ListFramesInput {
  ffprobePath: string;
  input: string;
  inputOptions: string[];
  streamIndex: number;
  grid: { origin: number; fps: number | null };
  /** Source times: frames from `from` (and the keyframe at or before it) up to `to` are wanted. */
  from: number;
  to: number;
  /**
   * Where the first listing starts, when not at `from`: MPEG-TS and HLS land after the seek
   * point, so starting LISTING_LOOKBACK_S earlier saves the listing that would find no keyframe;
   * null reads from the beginning at once (near the start, where HLS refuses an earlier seek).
   */
  firstFrom?: number | null;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Runs one packet listing (keyframeListArgs) and parses it: packets in decode order, no decoding. */
export async function listPackets(run: { ffprobePath: string; timeoutMs: number; signal?: AbortSignal }, o: KeyframeListOptions): Promise<VideoPacket[]> {
  const { stdout } = await runProcess(run.ffprobePath, keyframeListArgs(o).flat(), { timeoutMs: run.timeoutMs, signal: run.signal, maxStdoutBytes: 64 << 20 });
  return parseKeyframeList(stdout.toString('utf8'));
}

/**
 * The listing tries `from` itself (an indexed container lands on the keyframe before it), then
 * LISTING_LOOKBACK_S earlier, then the beginning of the stream with no seek at all (a seek to
 * 0 on a clock that starts at 3600 s fails), until a keyframe at or before `from` is listed.
 * Returns the last listing, which may still have no keyframe before `from` (the time is before
 * the first frame) or no frames at all.
 */
export async function listFramesAround(o: ListFramesInput): Promise<FrameTimeline> {
  const first = o.firstFrom === undefined ? o.from : o.firstFrom;
  const attempts: (number | null)[] = first === null ? [null] : [first, first - LISTING_LOOKBACK_S, null];
  let t: FrameTimeline | null = null;
  for (const from of attempts) {
    let packets: VideoPacket[];
    try {
      packets = await listPackets(o, { input: o.input, inputOptions: o.inputOptions, streamIndex: o.streamIndex, interval: { from, to: o.to } });
    } catch (err) {
      // HLS refuses a seek before its first packet ("Could not seek to position"): the next
      // attempt starts earlier or does not seek.
      if (!(err instanceof ProcessError) || err instanceof ProcessCancelledError || err instanceof ProcessTimeoutError || from === null) throw err;
      continue;
    }
    t = frameTimeline(packets, o.grid);
    if (listingCovers(t, o.from)) return t;
  }
  return t!;
}

/** The listing holds a keyframe at or before `from` and a frame after it. */
export function listingCovers(t: FrameTimeline, from: number): boolean {
  return t.frames.length > 0 && t.keyframes.length > 0 && t.keyframes[0]! <= from + 1e-6;
}

export interface FrameOnScreenAt {
  /** Source time of the frame on screen at the requested time. */
  pts: number;
  /** Source time just before it: keep frames at or after this to start with it. */
  pickAt: number;
  /** Where to start reading so that this frame is decoded (the keyframe before it). */
  start: InputStart;
}

/**
 * The frame on screen at source time `t`, from real frame times (variable rates, MPEG-TS and
 * HLS), and where ffmpeg must start reading to decode it; null when `t` is before the first frame.
 */
export async function locateFrameOnScreen(
  o: Omit<ListFramesInput, 'from' | 'to'> & { t: number; formatName: string; containerStart: number },
): Promise<FrameOnScreenAt | null> {
  const listing = await listFramesAround({ ...o, from: o.t, to: o.t + LISTING_MARGIN_S, firstFrom: firstListingFrom(o, o.t) });
  const shown = frameOnScreen(listing.frames, o.t);
  if (shown === null) return null;
  const pickAt = justBefore(shown, o.grid.fps ? 1 / o.grid.fps : 0);
  const start = decodeStart(o, pickAt, keyframeAtOrBefore(listing.keyframePackets, shown.pts));
  return { pts: shown.pts, pickAt, start };
}

/**
 * Where the first listing for source time t starts (ListFramesInput.firstFrom): at t for an
 * indexed container (it lands on the keyframe before t); LISTING_LOOKBACK_S earlier for
 * MPEG-TS and HLS, which land after the seek point; from the beginning when that is before
 * the container's start (HLS refuses such a seek).
 */
export function firstListingFrom(src: SeekableSource, t: number): number | null {
  if (seeksByIndex(src.formatName)) return t;
  const back = t - LISTING_LOOKBACK_S;
  return back <= src.containerStart ? null : back;
}
