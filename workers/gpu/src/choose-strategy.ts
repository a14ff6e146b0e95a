// From the trials' findings (gpu-trials.ts) to each job's strategy and the worker's
// concurrency: NVDEC+NVENC, NVDEC+libx264 (Hopper has no NVENC), or the CPU.
import { availableParallelism } from 'node:os';
import type { HwAccel } from '@framesmith/core/config';
import { CPU_STRATEGY, gpuStrategy, type VideoStrategy } from './clip/video-strategy.js';
import type { GpuCapabilities } from './gpu-trials.js';

/** HWACCEL=required and no GPU passed the NVDEC trial: the worker must not start. */
export class HwAccelUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HwAccelUnavailableError';
  }
}

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
