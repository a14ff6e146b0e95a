// What this worker's GPUs can really do. nvidia-smi says which GPUs exist and how busy they
// are; only a real ffmpeg run says whether NVDEC and NVENC work through this ffmpeg, driver
// and container (Hopper H100/H200 list encoder fields but have no NVENC engine, a MIG slice
// may have no media engine, a container may lack libnvidia-encode). So the probe trusts the
// trials, never the product name, and the strategy for each job follows from the trials.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
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
import { CPU_STRATEGY, decodeArgs, encodeArgs, type VideoStrategy } from './clip/video-strategy.js';
import nvidiaSmi from 'node-nvidia-smi';
import xml2js from 'xml2js';

/** One GPU as `nvidia-smi -q -x` reports it. Fields nvidia-smi reports as N/A (or omits) are null. */
export interface GpuInfo {
  /**
   * Position in nvidia-smi's list (PCI bus order): the `-i` index of nvidia-smi, and the CUDA
   * device ordinal that `-hwaccel_device` and `-gpu` take when CUDA_DEVICE_ORDER=PCI_BUS_ID.
   * Not `minor_number`, which follows /dev/nvidiaN and can differ.
   */
  index: number;
  pciBusId: string | null;
  name: string;
  uuid: string | null;
  architecture: string | null;
  driverVersion: string | null;
  cudaVersion: string | null;
  memoryTotalBytes: number | null;
  memoryUsedBytes: number | null;
  /** 0..1 */
  utilization: number | null;
  memoryUtilization: number | null;
  encoderUtilization: number | null;
  decoderUtilization: number | null;
  encoderSessions: number | null;
  encoderAverageFps: number | null;
  temperatureC: number | null;
  powerDrawWatts: number | null;
  powerLimitWatts: number | null;
  /** In MIG mode the media engines belong to GPU instances; a whole-device trial fails. */
  migEnabled: boolean | null;
}

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

/** HWACCEL=required and no GPU passed the NVDEC trial: the worker must not start. */
export class HwAccelUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HwAccelUnavailableError';
  }
}

// The options node-nvidia-smi parses with; recorded fixtures must go through the same ones.
const XML_OPTIONS = { explicitArray: false, trim: true } as const;
const NVIDIA_SMI_TIMEOUT_MS = 15_000;
// CUDA context creation on a cold GPU (no persistence daemon) can take seconds; the trial
// itself is ~1 s of work.
const TRIAL_TIMEOUT_MS = 30_000;
const TRIAL_SOURCE = 'testsrc2=size=256x144:rate=30';

// ---------------------------------------------------------------------------------------
// Parsing nvidia-smi

/** GPUs from the object node-nvidia-smi yields (xml2js, explicitArray false: one <gpu> is an object, several an array). */
export function parseNvidiaSmi(data: unknown): GpuInfo[] {
  const log = field(data, 'nvidia_smi_log');
  if (log === undefined || log === null || typeof log !== 'object') {
    throw new Error('not nvidia-smi -q -x output: no <nvidia_smi_log> element');
  }
  const driverVersion = text(log, 'driver_version');
  const cudaVersion = text(log, 'cuda_version');
  const raw = field(log, 'gpu');
  const list = raw === undefined || raw === null || raw === '' ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((gpu, index): GpuInfo => {
    const memory = field(gpu, 'fb_memory_usage');
    const util = field(gpu, 'utilization');
    // Drivers before 530 report <power_readings><power_limit>; later ones split GPU and
    // module readings and name the limit current_power_limit.
    const power = field(gpu, 'gpu_power_readings') ?? field(gpu, 'power_readings');
    const mig = text(gpu, 'mig_mode', 'current_mig');
    return {
      index,
      pciBusId: attr(gpu, 'id') ?? text(gpu, 'pci', 'pci_bus_id'),
      name: text(gpu, 'product_name') ?? 'unknown NVIDIA GPU',
      uuid: text(gpu, 'uuid'),
      architecture: text(gpu, 'product_architecture'),
      driverVersion,
      cudaVersion,
      memoryTotalBytes: bytes(text(memory, 'total')),
      memoryUsedBytes: bytes(text(memory, 'used')),
      utilization: ratio(text(util, 'gpu_util')),
      memoryUtilization: ratio(text(util, 'memory_util')),
      encoderUtilization: ratio(text(util, 'encoder_util')),
      decoderUtilization: ratio(text(util, 'decoder_util')),
      encoderSessions: integer(text(gpu, 'encoder_stats', 'session_count')),
      encoderAverageFps: number(text(gpu, 'encoder_stats', 'average_fps')),
      temperatureC: number(text(gpu, 'temperature', 'gpu_temp')),
      powerDrawWatts: number(text(power, 'power_draw')),
      powerLimitWatts: number(text(power, 'current_power_limit') ?? text(power, 'power_limit')),
      migEnabled: mig === null ? null : mig.toLowerCase() === 'enabled',
    };
  });
}

/** The same, from the XML text itself (recorded `nvidia-smi -q -x` output). */
export async function parseNvidiaSmiXml(xml: string): Promise<GpuInfo[]> {
  return parseNvidiaSmi(await xml2js.parseStringPromise(xml, XML_OPTIONS));
}

/** GPUs from a recorded `nvidia-smi -q -x` file, for tests and demos on machines without a GPU. */
export async function readGpusFromXmlFile(file: string): Promise<GpuInfo[]> {
  return parseNvidiaSmiXml(await readFile(file, 'utf8'));
}

/**
 * GPUs from the real nvidia-smi; [] when nvidia-smi is not installed (a machine without
 * NVIDIA drivers). Other failures (nvidia-smi present but the driver not answering) throw.
 */
export function readGpus(opts: { timeoutMs?: number } = {}): Promise<GpuInfo[]> {
  const timeoutMs = opts.timeoutMs ?? NVIDIA_SMI_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    // node-nvidia-smi runs child_process.exec('nvidia-smi -q -x'): a shell, which the process
    // runner rule otherwise forbids. Acceptable here: the command string is a constant with no
    // input from a request or the environment in it. It offers no timeout or kill, so a hung
    // nvidia-smi (a GPU fallen off the bus) is abandoned, not killed, after the deadline.
    const timer = setTimeout(() => reject(new Error(`nvidia-smi gave no answer within ${timeoutMs} ms`)), timeoutMs);
    nvidiaSmi((err, data) => {
      clearTimeout(timer);
      if (err) {
        // exec gives the shell's 127 for a missing command; node-nvidia-smi passes any
        // stderr output on its own as a bare string.
        if (typeof err === 'object' && (err as { code?: unknown }).code === 127) resolve([]);
        else reject(err instanceof Error ? err : new Error(`nvidia-smi failed: ${String(err).trim()}`));
        return;
      }
      try {
        resolve(parseNvidiaSmi(data));
      } catch (parseErr) {
        reject(parseErr);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------
// Trials

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
  /** Defaults to the real nvidia-smi (readGpus). */
  readGpus?: () => Promise<GpuInfo[]>;
  /** Defaults to the process runner. */
  run?: RunFn;
  trialTimeoutMs?: number;
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
  const read = opts.readGpus ?? (() => readGpus());
  const run = opts.run ?? runProcess;
  const runOpts: RunOptions = { timeoutMs: opts.trialTimeoutMs ?? TRIAL_TIMEOUT_MS, signal: opts.signal };

  let gpus: GpuInfo[];
  try {
    gpus = await read();
  } catch (err) {
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

// ---------------------------------------------------------------------------------------
// Choosing

/**
 * The strategy for one job. `slot` is the job's slot number on this worker (0, 1, 2, … held
 * for the job's whole life): slot modulo the usable GPUs pins the job to one device and
 * spreads concurrent jobs round-robin. A usable GPU is one whose NVDEC trial passed; it
 * encodes on NVENC when that trial passed too (L4, L40S, consumer cards) and on libx264
 * otherwise (H100/H200 have NVDEC but no NVENC). 'required' means GPU decode at least: it
 * throws when no GPU passed, which a call with slot 0 at start-up turns into a refusal to
 * start.
 */
export function chooseStrategy(caps: GpuCapabilities, hwAccel: HwAccel, slot: number): VideoStrategy {
  if (hwAccel === 'disable') return CPU_STRATEGY;
  const usable = caps.perGpu.filter((g) => g.nvdec);
  const n = usable.length;
  if (n === 0) {
    if (hwAccel === 'required') throw new HwAccelUnavailableError(whyNoGpu(caps));
    return CPU_STRATEGY;
  }
  const gpu = usable[((Math.trunc(slot) % n) + n) % n]!;
  return gpuStrategy(gpu.index, gpu.nvenc);
}

function gpuStrategy(gpu: number, nvenc: boolean): VideoStrategy {
  return nvenc
    ? { name: 'nvdec-nvenc', decode: 'nvdec', encode: 'nvenc', gpu }
    : { name: 'nvdec-x264', decode: 'nvdec', encode: 'libx264', gpu };
}

function whyNoGpu(caps: GpuCapabilities): string {
  const head = 'HWACCEL=required, but no GPU can decode with NVDEC';
  if (caps.gpuReadError) return `${head}: nvidia-smi failed: ${caps.gpuReadError}`;
  if (caps.perGpu.length === 0) return `${head}: nvidia-smi lists no GPU (or is not installed). Set HWACCEL=if-possible to run on the CPU.`;
  const each = caps.perGpu.map((g) => `GPU ${g.index}: ${g.nvdecError ?? 'NVDEC trial failed'}`).join(' | ');
  return `${head}: ${each}`;
}

/**
 * Jobs per GPU when GPU_CONCURRENCY_PER_DEVICE is unset.
 * - Every usable GPU has NVENC: 3. Consumer GeForce drivers cap concurrent NVENC sessions
 *   (3 for years, raised to 5 and then 8 by newer drivers); 3 fits every driver, and L4/L40S
 *   (no cap) already run 3 1080p encodes near their NVENC throughput.
 * - Some usable GPU lacks NVENC (Hopper): the CPU's libx264 encode is the bottleneck, not
 *   the GPU. x264 veryfast at 1080p keeps about 4 threads busy, so the machine takes
 *   cpuCount/4 encodes, shared by all usable GPUs; at least 1 per GPU.
 * - No usable GPU: 1, so CPU-only video jobs on this worker leave the cores to the CPU
 *   worker's GIFs and grabs.
 */
export function defaultConcurrencyPerGpu(caps: GpuCapabilities, cpuCount: number = availableParallelism()): number {
  const usable = caps.perGpu.filter((g) => g.nvdec);
  if (usable.length === 0) return 1;
  if (usable.every((g) => g.nvenc)) return 3;
  return Math.max(1, Math.floor(cpuCount / 4 / usable.length));
}

// ---------------------------------------------------------------------------------------
// xml2js values: a leaf is a string, or { _: text, $: attributes } when it has attributes.

function field(node: unknown, key: string): unknown {
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
}

function attr(node: unknown, name: string): string | null {
  const value = field(field(node, '$'), name);
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The text at a path; null for absent, empty and nvidia-smi's N/A spellings. */
function text(node: unknown, ...keys: string[]): string | null {
  let cur = node;
  for (const key of keys) cur = field(cur, key);
  const value = typeof cur === 'string' ? cur : field(cur, '_');
  if (typeof value !== 'string') return null;
  const t = value.trim();
  return t === '' || /^\[?(N\/A|Not Supported|Unknown Error|Insufficient Permissions|Requested functionality has been deprecated)\]?$/i.test(t) ? null : t;
}

/** The leading number of "45 C", "27.22 W", "2 %"; null when there is none ("N/A %"). */
function number(value: string | null): number | null {
  const m = value === null ? null : /^-?\d+(\.\d+)?/.exec(value);
  return m ? Number(m[0]) : null;
}

function integer(value: string | null): number | null {
  const n = number(value);
  return n === null ? null : Math.round(n);
}

function ratio(value: string | null): number | null {
  const n = number(value);
  return n === null ? null : n / 100;
}

const UNIT_BYTES: Record<string, number> = { B: 1, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4 };

/** "23034 MiB" → bytes. nvidia-smi writes MiB; the others are accepted in case. */
function bytes(value: string | null): number | null {
  const m = value === null ? null : /^(\d+(?:\.\d+)?)\s*([KMGT]?i?B)?$/i.exec(value);
  if (!m) return null;
  const unit = (m[2] ?? 'MiB').toUpperCase().replace(/^([KMGT])B$/, '$1IB');
  const scale = UNIT_BYTES[unit];
  return scale === undefined ? null : Math.round(Number(m[1]) * scale);
}
