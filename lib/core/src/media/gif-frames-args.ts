// ffmpeg arguments that turn a clip into the numbered PNG frames of a GIF, for gifski to
// encode (docs/media.md: PNG frames in tmpfs + gifski beat ffmpeg's palettegen on quality
// and size). The timing of every output frame is decided here, precisely:
//
//   q = playbackSpeed / fps         seconds of source per output frame
//   frameCount = round(clipSeconds / q)
//   output frame i shows the source frame on screen at start + i * q
//
// and the GIF plays at `fps`, so speed 2.0 takes every other frame of the normal extraction
// and 0.5 shows each sampled moment at half speed. Speed 0 is one still frame: the start.
import { grabSeekSeconds } from './grab-frame-args.js';
import { type InputStart, inputStartArgs, onInputClock, signedMicros } from './source-clock.js';

/** playbackSpeed is applied to this precision, so the sampling rate is an exact fraction. */
export const SPEED_STEPS_PER_UNIT = 1000;
/** zlib level for the intermediate PNGs: level 1 is as fast as storing (level 0) and ~10x smaller in tmpfs. */
export const FRAME_PNG_COMPRESSION = 1;

export interface GifFramePlanInput {
  /** Clip start and end, seconds from the start of the stream. */
  startSeconds: number;
  endSeconds: number;
  /** Output frame rate, whole frames per second (gateway range limits.minFps..maxFps, default 18). */
  fps: number;
  /** 1 normal, 2 twice as fast, 0 a still of the start (gateway range 0..10, default 1). */
  playbackSpeed: number;
  /** Source frame rate when constant (probe); null when unknown. */
  sourceFps: number | null;
}

export interface GifFramePlan {
  frameCount: number;
  /** Input seek position, seconds from the first frame: half a source frame before the frame on screen at the start (constant rate). */
  seekSeconds: number;
  /**
   * How long the frame on screen at the start had already been showing, seconds (0 on a
   * frame boundary and for an unknown rate). Shifting timestamps back by it puts the clip
   * start at time 0, so the fps filter's grid starts exactly at `start`.
   */
  leadSeconds: number;
  /** Source instants sampled per second, fps / speed as a reduced fraction; null for a still. */
  sampleRate: { num: number; den: number } | null;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export function gifFramePlan(p: GifFramePlanInput): GifFramePlan {
  const seekSeconds = grabSeekSeconds(p.startSeconds, p.sourceFps);
  let leadSeconds = 0;
  if (p.sourceFps && Number.isFinite(p.sourceFps) && p.sourceFps > 0) {
    const frame = Math.floor(p.startSeconds * p.sourceFps + 1e-6);
    const lead = p.startSeconds - frame / p.sourceFps;
    leadSeconds = lead > 1e-6 ? lead : 0;
  }
  if (p.playbackSpeed <= 0) return { frameCount: 1, seekSeconds, leadSeconds, sampleRate: null };
  // A positive speed never rounds down to a still.
  const speedSteps = Math.max(1, Math.round(p.playbackSpeed * SPEED_STEPS_PER_UNIT));
  const clipSeconds = p.endSeconds - p.startSeconds;
  // + 1e-9: a clip of exactly n.5 frames rounds up whatever the float error.
  const frameCount = Math.max(1, Math.round((clipSeconds * p.fps * SPEED_STEPS_PER_UNIT) / speedSteps + 1e-9));
  const num = p.fps * SPEED_STEPS_PER_UNIT;
  const d = gcd(num, speedSteps);
  return { frameCount, seekSeconds, leadSeconds, sampleRate: { num: num / d, den: speedSteps / d } };
}

export interface GifFramesOptions {
  input: string;
  /** Extra input options (protocol whitelist) chosen by the caller for the source kind. */
  inputOptions: string[];
  /** Where reading starts (source-clock.ts decodeStart). */
  start: InputStart;
  /**
   * Source time just before the frame on screen at the clip start: frames before it are
   * trimmed (nothing to trim when the input seek went there itself).
   */
  firstFrameAt: number;
  /** How long that frame had been showing at the clip start (the plan's, or from listed times). */
  leadSeconds: number;
  plan: GifFramePlan;
  /** Output size from gifOutputSize. */
  width: number;
  height: number;
  /** image2 pattern, e.g. `/dev/shm/framesmith-gif-x/f%05d.png` (numbered from 1). */
  outputPattern: string;
}

export function gifFramesArgs(o: GifFramesOptions): string[][] {
  const { plan } = o;
  const scale = [`scale=${o.width}:${o.height}:flags=lanczos`, 'format=rgb24'];
  const at = onInputClock(o.start, o.firstFrameAt);
  // The input seek drops frames before its own point; a seek to a keyframe further back
  // (MPEG-TS, HLS) leaves the frames up to the clip start to trim.
  const trim = at > 0 ? [`trim=start=${signedMicros(at)}`] : [];
  let filters: string[];
  if (plan.sampleRate === null) {
    filters = [...trim, ...scale];
  } else {
    const { num, den } = plan.sampleRate;
    filters = [
      ...trim,
      // The frame on screen at the start comes first; make the start itself time 0 (round():
      // setpts truncates, and TB is not a decimal fraction).
      o.leadSeconds > 0 ? `setpts=PTS-STARTPTS-round(${o.leadSeconds.toFixed(6)}/TB)` : 'setpts=PTS-STARTPTS',
      // round=up makes output slot k the last frame whose time is <= k / rate, i.e. the frame
      // on screen at that instant; start_time=0 anchors the slot grid at the clip start.
      `fps=${den === 1 ? num : `${num}/${den}`}:start_time=0:round=up`,
      ...scale,
    ];
  }
  return [
    ['-nostdin', '-hide_banner', '-v', 'error', '-progress', 'pipe:1', '-nostats'],
    // Frames come out upright (ffmpeg's autorotate applies the display matrix).
    [...o.inputOptions, ...inputStartArgs(o.start), '-i', o.input],
    ['-map', '0:v:0', '-an', '-sn', '-dn', '-vf', filters.join(','), '-frames:v', String(plan.frameCount)],
    ['-c:v', 'png', '-compression_level', String(FRAME_PNG_COMPRESSION), '-f', 'image2', '-y', o.outputPattern],
  ];
}
