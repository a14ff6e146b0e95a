// The real probe, real nvidia-smi and real ffmpeg, on whatever machine runs the tests. CI
// machines have no GPU; on one with a GPU the expectations follow what the trials found.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '@framesmith/core/config';
import { CPU_STRATEGY } from '../src/clip/video-strategy.js';
import { describe, expect, it } from 'vitest';
import { chooseStrategy, HwAccelUnavailableError } from '../src/choose-strategy.js';
import { probeCapabilities } from '../src/gpu-trials.js';
import { readGpus, readGpusFromXmlFile } from '../src/read-gpus.js';
import { fixture } from './gpu-fixtures.js';

const ffmpegPath = process.env.FFMPEG_PATH || 'ffmpeg';
// The worker's defaults (deadlines, nvidia-smi on PATH), whatever this shell's environment says.
const { gpu } = loadConfig({});
const realNvidiaSmi = () => readGpus(gpu);

async function onPath(binary: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    if (await access(path.join(dir, binary)).then(() => true, () => false)) return true;
  }
  return false;
}
const hasNvidiaSmi = await onPath('nvidia-smi');

describe('the real probe', () => {
  it('runs nvidia-smi and ffmpeg without crashing and picks a strategy that matches the trials', async () => {
    const caps = await probeCapabilities({ ffmpegPath, hwAccel: 'if-possible', readGpus: realNvidiaSmi, trialTimeoutMs: gpu.trialTimeoutMs });
    const strategy = chooseStrategy(caps, 'if-possible', 0);
    if (!hasNvidiaSmi) {
      expect(caps.gpus).toEqual([]);
      expect(caps.perGpu).toEqual([]);
      expect(caps.gpuReadError).toBeNull();
      expect(strategy).toEqual(CPU_STRATEGY);
      expect(() => chooseStrategy(caps, 'required', 0)).toThrow(HwAccelUnavailableError);
    } else {
      expect(caps.perGpu).toHaveLength(caps.gpus.length);
      const first = caps.perGpu.find((g) => g.nvdec);
      expect(strategy.name).toBe(!first ? 'cpu' : first.nvenc ? 'nvdec-nvenc' : 'nvdec-x264');
    }
  });

  it('returns no GPUs (not an error) where nvidia-smi is not installed', async () => {
    if (hasNvidiaSmi) return;
    await expect(realNvidiaSmi()).resolves.toEqual([]);
  });

  it.skipIf(hasNvidiaSmi)('finds that a GPU nvidia-smi lists does not work when CUDA is missing (real ffmpeg trials)', async () => {
    // nvidia-smi replayed from the L4 fixture, ffmpeg real: on a machine without the NVIDIA
    // driver both trials must fail with ffmpeg's own reason, and the job must go to the CPU.
    const caps = await probeCapabilities({ ffmpegPath, hwAccel: 'if-possible', readGpus: () => readGpusFromXmlFile(fixture('l4.xml')), trialTimeoutMs: gpu.trialTimeoutMs });
    expect(caps.gpus.map((g) => g.name)).toEqual(['NVIDIA L4']);
    expect(caps.perGpu).toHaveLength(1);
    const [l4] = caps.perGpu;
    expect(l4).toMatchObject({ index: 0, nvdec: false, nvenc: false });
    expect(l4!.nvdecError).toMatch(/cuda|Device/i);
    expect(l4!.nvencError).toMatch(/libcuda|nvenc|encoder/i);
    expect(chooseStrategy(caps, 'if-possible', 0)).toEqual(CPU_STRATEGY);
  });
});
