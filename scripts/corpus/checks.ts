// The checks of one operation's output against the source as ffmpeg displays it. Times count
// from the first displayed frame (contract: "from the start of the stream"), whatever the
// container's start time; "on screen at t" is the last frame whose time is <= t.
import { runProcess } from '@framesmith/core/media/run-process';
import { probeFile } from '../../test/support/media-check.js';
import { type DecodedFrame, decodeFrames, displayRotation, frameNumber } from './frame-marks.js';

/** A source frame as displayed: its number (from its pixels), time from the first, corner. */
export interface TruthFrame {
  n: number;
  t: number;
  corner: string;
  width: number;
  height: number;
}

export interface Verdict {
  /** Right frames (and orientation); null where exactness is not asked (keyframe clips). */
  exact: boolean | null;
  /** Decodes without a single error (`ffmpeg -xerror`). */
  clean: boolean;
  /** Every failed check, in words; empty when all passed. */
  problems: string[];
  /** Facts worth a glance (orientation kept how, frame range). */
  notes: string[];
}

const EPS = 0.0005;

export async function sourceTruth(file: string): Promise<TruthFrame[]> {
  const frames = [...(await decodeFrames(file))].sort((a, b) => a.pts - b.pts);
  const t0 = frames[0]!.pts;
  let around = 0;
  return frames.map((f) => {
    const n = frameNumber(f.luma, around);
    if (n === null) throw new Error(`${file}: a frame at ${f.pts} has luma ${f.luma.toFixed(1)}, no generated frame matches`);
    around = n + 1;
    return { n, t: f.pts - t0, corner: f.corner, width: f.width, height: f.height };
  });
}

/** The source frame on screen at t seconds from the first displayed frame. */
export function onScreen(truth: readonly TruthFrame[], t: number): TruthFrame {
  let at = truth[0]!;
  for (const f of truth) if (f.t <= t + EPS) at = f;
  return at;
}

/** Frames start <= t < end. */
export function framesIn(truth: readonly TruthFrame[], start: number, end: number): TruthFrame[] {
  return truth.filter((f) => f.t >= start - EPS && f.t < end - EPS);
}

/** Frame numbers of decoded frames in order: each is looked for just after the one before. */
function identify(got: readonly DecodedFrame[], expected: readonly TruthFrame[], step = 1, firstIsGuess = false): (number | null)[] {
  let around = expected[0]?.n ?? 0;
  return got.map((g, i) => {
    const n = frameNumber(g.luma, around, 2.5, i === 0 && firstIsGuess ? 0.002 : undefined);
    around = n === null ? around + step : Math.round(n + step);
    return n;
  });
}

function orientationProblems(got: readonly DecodedFrame[], want: TruthFrame): string[] {
  const out: string[] = [];
  const wrongCorner = got.filter((g) => g.corner !== want.corner).length;
  if (wrongCorner) out.push(`${wrongCorner}/${got.length} frames not upright (marker ${got.find((g) => g.corner !== want.corner)!.corner}, displayed source has it ${want.corner})`);
  const g = got[0];
  if (g && g.width > g.height !== want.width > want.height) out.push(`shape ${g.width}x${g.height}, displayed source is ${want.width}x${want.height}`);
  return out;
}

const show = (ns: readonly (number | null)[]) => (ns.length > 8 ? `${ns.slice(0, 4).join(',')}…${ns.slice(-3).join(',')} (${ns.length})` : ns.join(','));

export async function checkImage(file: string, truth: readonly TruthFrame[], t: number): Promise<Verdict> {
  const want = onScreen(truth, t);
  const got = await decodeFrames(file);
  const n = identify(got, [want])[0] ?? null;
  const problems = [...(n !== want.n ? [`frame ${n ?? '?'}, want ${want.n}`] : []), ...orientationProblems(got, want)];
  return { exact: problems.length === 0, clean: true, problems, notes: [`frame ${n}`] };
}

export async function checkGif(file: string, truth: readonly TruthFrame[], start: number, end: number, fps: number): Promise<Verdict> {
  const count = Math.round((end - start) * fps);
  const want = Array.from({ length: count }, (_, i) => onScreen(truth, start + i / fps));
  const got = await decodeFrames(file);
  const ns = identify(got, want, truth.length > 1 ? 1 / fps / ((truth[truth.length - 1]!.t - truth[0]!.t) / (truth.length - 1)) : 1);
  const problems: string[] = [];
  if (ns.join() !== want.map((w) => w.n).join()) problems.push(`frames ${show(ns)}, want ${show(want.map((w) => w.n))}`);
  problems.push(...orientationProblems(got, want[0]!));
  return { exact: problems.length === 0, clean: true, problems, notes: [] };
}

/** ffmpeg -xerror decode of every stream: the first error line, or null when clean. */
export async function decodeError(file: string): Promise<string | null> {
  try {
    // Passthrough and the demuxer's time base: the null muxer's default 1/fps clock is coarser
    // than a variable-rate clip's shortest frame and reports its own "non monotonically
    // increasing dts" for frames that are fine.
    const r = await runProcess('ffmpeg', ['-nostdin', '-v', 'error', '-xerror', '-i', file, '-map', '0', '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-f', 'null', '-'], { timeoutMs: 120_000 });
    return r.stderrTail.trim().split('\n').find(Boolean) ?? null;
  } catch (e) {
    const tail = (e as { stderrTail?: string }).stderrTail ?? String(e);
    return tail.trim().split('\n').find(Boolean) ?? 'ffmpeg failed';
  }
}

/** Samples per frame of the audio codecs the clips may hold, for the A/V length check. */
const AUDIO_FRAME: Record<string, number> = { aac: 1024, ac3: 1536, eac3: 1536, mp3: 1152, opus: 960, mp2: 1152 };

export interface ClipCheck {
  exact: boolean;
  /** Source has a constant frame rate: the clip's must be constant too. */
  cfr: boolean;
  start: number;
  end: number;
  sourceAudio: number;
}

export async function checkClip(file: string, truth: readonly TruthFrame[], c: ClipCheck): Promise<Verdict> {
  const want = framesIn(truth, c.start, c.end);
  const got = [...(await decodeFrames(file))].sort((a, b) => a.pts - b.pts);
  // A keyframe-aligned clip starts up to a GOP before the request.
  const ns = identify(got, want, 1, !c.exact);
  const problems: string[] = [];
  const notes: string[] = [];
  const err = await decodeError(file);
  if (err) problems.push(`decode error: ${err}`);
  if (c.exact) {
    if (ns.join() !== want.map((w) => w.n).join()) problems.push(`frames ${show(ns)}, want ${show(want.map((w) => w.n))}`);
  } else {
    const have = new Set(ns);
    const missing = want.filter((w) => !have.has(w.n)).map((w) => w.n);
    if (missing.length) problems.push(`misses frames ${show(missing)} of ${show(want.map((w) => w.n))}`);
    notes.push(`frames ${show(ns)}`);
  }
  if (c.exact && c.cfr && got.length > 2) {
    const d = got.slice(1).map((g, i) => g.pts - got[i]!.pts);
    const spread = Math.max(...d) - Math.min(...d);
    if (spread > 0.0015) problems.push(`frame durations vary ${(Math.min(...d) * 1000).toFixed(1)}–${(Math.max(...d) * 1000).toFixed(1)} ms`);
  }
  if (want[0]) problems.push(...orientationProblems(got, want[0]));
  const rot = await displayRotation(file);
  notes.push(rot ? `orientation kept as display matrix ${rot}°` : 'no display matrix');
  const probe = await probeFile(file);
  const audio = probe.streams.filter((s) => s.type === 'audio');
  if (c.sourceAudio > 0 && !audio.length) problems.push('no audio track');
  if (c.exact && got.length > 1) {
    const frameDur = (got[got.length - 1]!.pts - got[0]!.pts) / (got.length - 1);
    const videoLen = got[got.length - 1]!.pts - got[0]!.pts + frameDur;
    for (const a of audio) {
      const tol = (AUDIO_FRAME[a.codec] ?? 1024) / 48000;
      if (a.duration !== null && Math.abs(a.duration - videoLen) > tol + 0.001) problems.push(`${a.codec} audio ${a.duration.toFixed(3)} s vs video ${videoLen.toFixed(3)} s`);
    }
  }
  return { exact: c.exact ? problems.filter((p) => !p.startsWith('decode error')).length === 0 : null, clean: !err, problems, notes };
}
