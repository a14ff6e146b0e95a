// The last step of every VIDEO job before its file is stored: the clip must cover the request
// (checkClipCoverage, on its packet times) and, for a stream copy, its ends must decode. A
// re-encode decoded every frame to make them and counted them; a smart cut's joins were
// decoded and compared with the source (clip-verify); a copy's packets are the source's own
// bytes, never decoded, so here the first frames and the last GOP are (a few GOPs whatever
// the clip's length). A clip that fails is not worth a retry: the same input gives the same
// clip.
import { ApplicationFailure } from '@temporalio/activity';
import type { Config } from '@framesmith/core/config';
import { type ClipCoverage, checkClipCoverage } from './clip/clip-coverage.js';
import { framecrcWindowsArgs, JOIN_PROBE_FRAMES, parseFramecrcStreams, shortWindow } from './clip/clip-verify.js';
import { listPackets } from '@framesmith/core/media/frame-listing';
import type { VideoPacket } from '@framesmith/core/media/keyframes';
import { ProcessCancelledError, ProcessError, ProcessTimeoutError, runProcess } from '@framesmith/core/media/run-process';
import { FILE_ONLY } from './clip-runner.js';

export interface VerifyClipInput {
  /** The finished clip, in scratch. */
  file: string;
  /** Whether the clip's packets were copied from the source (decoded here) or encoded by us. */
  copied: boolean;
  /** What the clip must cover; the times come from the clip itself. */
  expect: Omit<ClipCoverage, 'times'>;
  /** The clip's packets when they were already listed (clipPackets); listed here otherwise. */
  packets?: readonly VideoPacket[] | null;
}

function clipFailure(reason: string): ApplicationFailure {
  return ApplicationFailure.create({ message: reason, type: 'MediaError', nonRetryable: true });
}

/**
 * Runs a read-back step; a tool that refuses our own output becomes a reason in our words
 * (its stderr names our scratch paths), while cancellation and timeouts pass through.
 */
async function readBack<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof ProcessCancelledError || err instanceof ProcessTimeoutError || !(err instanceof ProcessError)) throw err;
    throw clipFailure(`the clip ${what} (${err.command} exited with code ${err.exitCode})`);
  }
}

/** Throws a non-retryable MediaError naming the problem when the clip does not hold what was asked for. */
export async function verifyClip(config: Config, signal: AbortSignal, o: VerifyClipInput): Promise<void> {
  const packets =
    o.packets ??
    (await readBack('cannot be read back', () =>
      listPackets({ ffprobePath: config.ffprobePath, timeoutMs: config.timeouts.clipProbeMs, signal }, { input: o.file, inputOptions: FILE_ONLY, streamIndex: 0, interval: null }),
    ));
  const problem = checkClipCoverage({ ...o.expect, times: packets.map((p) => p.pts ?? Number.NaN) });
  if (problem) throw clipFailure(problem);
  if (!o.copied) return;

  // Every window in one ffmpeg run: a process start costs more than decoding a few frames.
  const windows = copyDecodeWindows(packets);
  const streams = await readBack('does not decode', async () => {
    const { stdout } = await runProcess(config.ffmpegPath, framecrcWindowsArgs({ input: o.file, inputOptions: FILE_ONLY, stream: 'v:0', windows }), {
      timeoutMs: config.limits.processTimeoutMs,
      signal,
      maxStdoutBytes: 64 << 20,
    });
    return parseFramecrcStreams(stdout.toString('utf8'));
  });
  const short = shortWindow(windows.map((w, i) => ({ at: w.at, expected: w.expected, crcs: (streams[i] ?? []).map((f) => f.crc) })), 'the clip');
  if (short) throw clipFailure(short);
}

/**
 * The copy's first frames (its keyframe and first dependants) and its last GOP, from the last
 * keyframe to the end: one window when the clip is a single GOP. `at` counts frames in
 * display order.
 */
export function copyDecodeWindows(packets: readonly VideoPacket[]): { at: number; from: number | null; frames: number | null; expected: number }[] {
  const times = packets.map((p) => p.pts ?? Number.NaN).sort((a, b) => a - b);
  const keys = packets.filter((p) => p.key && p.pts !== null).map((p) => p.pts!).sort((a, b) => a - b);
  const lastKey = keys[keys.length - 1];
  if (lastKey === undefined || lastKey <= times[0]!) return [{ at: 0, from: null, frames: null, expected: times.length }];
  const tailAt = times.findIndex((t) => t >= lastKey - 1e-6);
  return [
    { at: 0, from: null, frames: Math.min(JOIN_PROBE_FRAMES, tailAt), expected: Math.min(JOIN_PROBE_FRAMES, tailAt) },
    { at: tailAt, from: lastKey, frames: null, expected: times.length - tailAt },
  ];
}
