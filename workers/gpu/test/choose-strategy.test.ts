import { describe, expect, it } from 'vitest';
import { CPU_STRATEGY } from '../src/clip/video-strategy.js';
import { chooseStrategy, defaultConcurrencyPerGpu, HwAccelUnavailableError } from '../src/choose-strategy.js';
import { caps } from './gpu-fixtures.js';

describe('chooseStrategy', () => {
  const h100 = caps([{ index: 0, nvdec: true, nvenc: false, nvencError: 'OpenEncodeSessionEx failed: unsupported device (2): (no details)' }]);
  const l4 = caps([{ index: 0, nvdec: true, nvenc: true }]);
  const none = caps([]);

  it('decodes on NVDEC and encodes with libx264 on an H100', () => {
    expect(chooseStrategy(h100, 'if-possible', 0)).toEqual({ name: 'nvdec-x264', decode: 'nvdec', encode: 'libx264', gpu: 0 });
    expect(chooseStrategy(h100, 'required', 0).name).toBe('nvdec-x264');
  });
  it('uses NVDEC and NVENC on an L4', () => {
    expect(chooseStrategy(l4, 'if-possible', 0)).toEqual({ name: 'nvdec-nvenc', decode: 'nvdec', encode: 'nvenc', gpu: 0 });
  });
  it('runs on the CPU without a GPU', () => {
    expect(chooseStrategy(none, 'if-possible', 0)).toEqual(CPU_STRATEGY);
  });
  it('runs on the CPU when a listed GPU failed its NVDEC trial, even if NVENC worked', () => {
    expect(chooseStrategy(caps([{ index: 0, nvdec: false, nvenc: true, nvdecError: 'x' }]), 'if-possible', 0)).toEqual(CPU_STRATEGY);
  });
  it('throws at start-up for HWACCEL=required without a working GPU, saying why', () => {
    expect(() => chooseStrategy(none, 'required', 0)).toThrow(HwAccelUnavailableError);
    expect(() => chooseStrategy(none, 'required', 0)).toThrow(/HWACCEL=required.*no GPU/);
    const broken = caps([{ index: 0, nvdec: false, nvenc: false, nvdecError: 'Cannot load libcuda.so.1', nvencError: 'Cannot load libcuda.so.1' }]);
    expect(() => chooseStrategy(broken, 'required', 0)).toThrow(/GPU 0: Cannot load libcuda\.so\.1/);
    expect(() => chooseStrategy(caps([], { gpuReadError: 'NVIDIA-SMI has failed' }), 'required', 0)).toThrow(/nvidia-smi failed: NVIDIA-SMI has failed/);
  });
  it('never touches the GPU with HWACCEL=disable', () => {
    expect(chooseStrategy(l4, 'disable', 0)).toEqual(CPU_STRATEGY);
  });
  it('pins each slot to one usable GPU, round-robin', () => {
    const three = caps([
      { index: 0, nvdec: true, nvenc: true },
      { index: 1, nvdec: false, nvenc: false, nvdecError: 'x', nvencError: 'x' },
      { index: 2, nvdec: true, nvenc: false, nvencError: 'x' },
    ]);
    expect([0, 1, 2, 3].map((slot) => chooseStrategy(three, 'if-possible', slot))).toEqual([
      { name: 'nvdec-nvenc', decode: 'nvdec', encode: 'nvenc', gpu: 0 },
      { name: 'nvdec-x264', decode: 'nvdec', encode: 'libx264', gpu: 2 },
      { name: 'nvdec-nvenc', decode: 'nvdec', encode: 'nvenc', gpu: 0 },
      { name: 'nvdec-x264', decode: 'nvdec', encode: 'libx264', gpu: 2 },
    ]);
    expect(chooseStrategy(three, 'if-possible', -1).gpu).toBe(2);
  });
});

describe('defaultConcurrencyPerGpu', () => {
  it('allows 3 jobs per NVENC GPU, shares the CPU encoder among NVDEC-only GPUs, 1 without a GPU', () => {
    expect(defaultConcurrencyPerGpu(caps([{ index: 0, nvdec: true, nvenc: true }]), 16)).toBe(3);
    expect(defaultConcurrencyPerGpu(caps([{ index: 0, nvdec: true, nvenc: false }]), 16)).toBe(4);
    expect(
      defaultConcurrencyPerGpu(
        caps([
          { index: 0, nvdec: true, nvenc: false },
          { index: 1, nvdec: true, nvenc: false },
        ]),
        16,
      ),
    ).toBe(2);
    expect(defaultConcurrencyPerGpu(caps([{ index: 0, nvdec: true, nvenc: false }]), 2)).toBe(1);
    expect(defaultConcurrencyPerGpu(caps([]), 64)).toBe(1);
  });
});
