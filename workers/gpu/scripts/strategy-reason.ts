// One sentence saying why the probe's findings lead to the chosen strategy, for the probe's
// JSON and the device check's summary: a CPU choice must say which of the causes it was.
import type { HwAccel } from '@framesmith/core/config';
import type { VideoStrategy } from '../src/clip/video-strategy.js';
import type { GpuCapabilities } from '../src/gpu-trials.js';

export interface StrategyReasonInput {
  capabilities: GpuCapabilities;
  hwAccel: HwAccel;
  /** null when HWACCEL=required found no usable GPU. */
  strategy: VideoStrategy | null;
  /** nvidia-smi is not installed (no NVIDIA driver), as opposed to listing no GPU. */
  nvidiaSmiMissing: boolean;
}

export function strategyReason(o: StrategyReasonInput): string {
  const { capabilities: caps } = o;
  if (o.hwAccel === 'disable') return 'HWACCEL=disable: the GPU is not probed';
  if (caps.gpuReadError !== null) return `no GPU: nvidia-smi failed: ${caps.gpuReadError}`;
  if (caps.gpus.length === 0) {
    return o.nvidiaSmiMissing ? 'no GPU: nvidia-smi is not installed (no NVIDIA driver)' : 'no GPU: nvidia-smi lists none';
  }
  const trials = caps.perGpu
    .map((g) => `GPU ${g.index}: NVDEC ${g.nvdec ? 'ok' : `failed (${g.nvdecError ?? 'no detail'})`}, NVENC ${g.nvenc ? 'ok' : `failed (${g.nvencError ?? 'no detail'})`}`)
    .join(' | ');
  if (o.strategy === null || o.strategy.decode === 'cpu') return `no GPU passed the NVDEC trial: ${trials}`;
  return `chosen by trial: ${trials}`;
}
