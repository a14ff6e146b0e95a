// What this worker's GPUs can really do. nvidia-smi says which GPUs exist; only a real ffmpeg
// run says whether NVDEC and NVENC work through this ffmpeg, driver and container (Hopper
// H100/H200 list encoder fields but have no NVENC engine, a MIG slice may have no media
// engine, a container may lack libnvidia-encode). So the probe trusts the trials, never the
// product name; choose-strategy.ts turns the findings into each job's strategy.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HwAccel } from '@framesmith/core/config';
import {
  ProcessCancelledError,
  ProcessError,
  ProcessTimeoutError,
  runProcess,
  type RunOptions,
  type RunResult,
} from '@framesmith/core/media/run-process';
import { decodeArgs, encodeArgs, gpuStrategy } from './clip/video-strategy.js';
import type { GpuInfo } from './parse-nvidia-smi.js';
import type { ReadGpus } from './read-gpus.js';

/** What the trials found on one GPU. The errors carry the lines of ffmpeg's stderr that say why. */
export interface GpuCapability {
  index: number;
  nvdec: boolean;
  nvenc: boolean;
  nvdecError?: string;
  nvencError?: string;
}

export interface GpuCapabilities {
  gpus: GpuInfo[];
  perGpu: GpuCapability[];
  /** Why nvidia-smi gave no list (it ran and failed); null when it answered or is not installed. */
  gpuReadError: string | null;
  /** ISO 8601 time the probe finished. */
  probedAt: string;
}

export type RunFn = (command: string, args: readonly string[], opts: RunOptions) => Promise<RunResult>;

export type TrialKind = 'nvdec' | 'nvenc';

const TRIAL_SOURCE = 'testsrc2=size=256x144:rate=30';

/** Makes the ~1 s H.264 clip the NVDEC trial decodes (High profile 4:2:0, like real sources). */
export function trialClipArgs(output: string): string[] {
  return [
    '-nostdin', '-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', TRIAL_SOURCE, '-t', '1',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', output,
  ];
}

/**
 * ffmpeg arguments for a ~1 s trial on one GPU. The decoder and encoder options are the ones
 * jobs use (decodeArgs/encodeArgs), so a driver too old for, say, NVENC preset p4 fails here
 * rather than in every job. The NVDEC trial needs the clip trialClipArgs made.
 */
export function trialArgs(kind: 'nvenc', gpu: number): string[];
export function trialArgs(kind: 'nvdec', gpu: number, clip: string): string[];
export function trialArgs(kind: TrialKind, gpu: number, clip?: string): string[];
export function trialArgs(kind: TrialKind, gpu: number, clip?: string): string[] {
  const head = ['-nostdin', '-hide_banner', '-v', 'error'];
  if (kind === 'nvdec') {
    if (clip === undefined) throw new Error('the NVDEC trial needs a clip to decode');
    // A named hwaccel is fatal when the CUDA device cannot be set up (ffmpeg 5.1 fftools:
    // "Device setup failed for decoder"), so exit code 0 means NVDEC really opened.
    return [...head, ...decodeArgs(gpuStrategy(gpu, false)), '-i', clip, '-map', '0:v:0', '-f', 'null', '-'];
  }
  return [...head, '-f', 'lavfi', '-i', TRIAL_SOURCE, '-t', '1', ...encodeArgs(gpuStrategy(gpu, true)), '-f', 'null', '-'];
}

export interface ProbeOptions {
  ffmpegPath: string;
  hwAccel: HwAccel;
  /** nvidia-smi or a recording of it (read-gpus.ts, gpuReader). */
  readGpus: ReadGpus;
  /** Defaults to the process runner. */
  run?: RunFn;
  /** config.gpu.trialTimeoutMs: one trial's deadline, CUDA start-up included. */
  trialTimeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Lists the GPUs and runs an NVDEC and an NVENC trial on each. With HWACCEL=disable nothing
 * runs. Never throws for a GPU that fails its trials (that is a finding), only on
 * cancellation.
 */
export async function probeCapabilities(opts: ProbeOptions): Promise<GpuCapabilities> {
  const done = (gpus: GpuInfo[], perGpu: GpuCapability[], gpuReadError: string | null): GpuCapabilities => ({
    gpus,
    perGpu,
    gpuReadError,
    probedAt: new Date().toISOString(),
  });
  if (opts.hwAccel === 'disable') return done([], [], null);
  const run = opts.run ?? runProcess;
  const runOpts: RunOptions = { timeoutMs: opts.trialTimeoutMs, signal: opts.signal };

  let gpus: GpuInfo[];
  try {
    gpus = await opts.readGpus(opts.signal);
  } catch (err) {
    if (err instanceof ProcessCancelledError) throw err;
    return done([], [], errorText(err));
  }
  if (gpus.length === 0) return done([], [], null);

  const dir = await mkdtemp(path.join(tmpdir(), 'framesmith-gpu-probe-'));
  try {
    const clip = path.join(dir, 'trial.mp4');
    const clipError = await attempt(() => run(opts.ffmpegPath, trialClipArgs(clip), runOpts));
    // GPUs in parallel (each trial is mostly CUDA start-up); on one GPU one trial at a time.
    const perGpu = await Promise.all(
      gpus.map(async ({ index }): Promise<GpuCapability> => {
        const nvdecError = clipError
          ? `could not make the trial clip: ${clipError}`
          : await attempt(() => run(opts.ffmpegPath, trialArgs('nvdec', index, clip), runOpts));
        const nvencError = await attempt(() => run(opts.ffmpegPath, trialArgs('nvenc', index), runOpts));
        return {
          index,
          nvdec: nvdecError === null,
          nvenc: nvencError === null,
          ...(nvdecError === null ? {} : { nvdecError }),
          ...(nvencError === null ? {} : { nvencError }),
        };
      }),
    );
    return done(gpus, perGpu, null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** null when the run succeeded, else why it failed. Cancellation is rethrown, never a finding. */
async function attempt(work: () => Promise<unknown>): Promise<string | null> {
  try {
    await work();
    return null;
  } catch (err) {
    if (err instanceof ProcessCancelledError) throw err;
    return errorText(err);
  }
}

function errorText(err: unknown): string {
  if (err instanceof ProcessError) {
    const lines = stderrLines(err.stderrTail);
    if (err instanceof ProcessTimeoutError || lines.length === 0) return [err.message, ...lines].join('; ');
    return lines.join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}

/** The last few lines of ffmpeg's stderr, without the `@ 0x55…` context addresses that differ per run. */
function stderrLines(tail: string): string[] {
  return tail
    .split('\n')
    .map((line) => line.replace(/ @ 0x[0-9a-f]+\]/i, ']').trim())
    .filter(Boolean)
    .slice(-6)
    .map((line) => (line.length > 300 ? line.slice(0, 300) + '…' : line));
}
