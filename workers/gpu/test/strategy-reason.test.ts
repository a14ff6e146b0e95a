import { describe, expect, it } from 'vitest';
import { CPU_STRATEGY } from '../src/clip/video-strategy.js';
import { chooseStrategy } from '../src/choose-strategy.js';
import type { GpuCapabilities } from '../src/gpu-trials.js';
import type { GpuInfo } from '../src/parse-nvidia-smi.js';
import { caps as capsOf } from './gpu-fixtures.js';
import { strategyReason } from '../scripts/strategy-reason.js';

const gpu = { index: 0, name: 'NVIDIA H200' } as GpuInfo;
const caps = (over: Partial<GpuCapabilities>): GpuCapabilities => capsOf([], over);
const reason = (c: GpuCapabilities, nvidiaSmiMissing = false) =>
  strategyReason({ capabilities: c, hwAccel: 'if-possible', strategy: chooseStrategy(c, 'if-possible', 0), nvidiaSmiMissing });

describe('strategyReason', () => {
  it('names the cause of a CPU choice', () => {
    expect(reason(caps({}), true)).toBe('no GPU: nvidia-smi is not installed (no NVIDIA driver)');
    expect(reason(caps({}))).toBe('no GPU: nvidia-smi lists none');
    expect(reason(caps({ gpuReadError: 'NVIDIA-SMI has failed' }))).toBe('no GPU: nvidia-smi failed: NVIDIA-SMI has failed');
    expect(strategyReason({ capabilities: caps({}), hwAccel: 'disable', strategy: CPU_STRATEGY, nvidiaSmiMissing: false })).toMatch(/^HWACCEL=disable/);
    const failed = caps({ gpus: [gpu], perGpu: [{ index: 0, nvdec: false, nvenc: false, nvdecError: 'Cannot load libcuda.so.1', nvencError: 'no NVENC' }] });
    expect(reason(failed)).toBe('no GPU passed the NVDEC trial: GPU 0: NVDEC failed (Cannot load libcuda.so.1), NVENC failed (no NVENC)');
  });

  it('says a GPU strategy came from the trials', () => {
    const hopper = caps({ gpus: [gpu], perGpu: [{ index: 0, nvdec: true, nvenc: false, nvencError: 'No capable devices found' }] });
    expect(reason(hopper)).toBe('chosen by trial: GPU 0: NVDEC ok, NVENC failed (No capable devices found)');
  });
});
