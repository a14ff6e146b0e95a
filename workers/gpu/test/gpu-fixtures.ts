// Shared by the GPU worker's tests: the recorded nvidia-smi files, and probe findings built by hand.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GpuCapabilities } from '../src/gpu-trials.js';

/** A file under test/fixtures (recorded `nvidia-smi -q -x` output; see its README). */
export const fixture = (name: string): string => path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', name);

export const MiB = 1024 * 1024;

/** Probe findings with only the fields a test cares about. */
export function caps(perGpu: GpuCapabilities['perGpu'], extra: Partial<GpuCapabilities> = {}): GpuCapabilities {
  return { gpus: [], perGpu, gpuReadError: null, probedAt: '2025-11-18T09:15:37.000Z', ...extra };
}
