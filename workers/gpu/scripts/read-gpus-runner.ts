// nvidia-smi through the one process runner: no shell, a deadline, and a hung nvidia-smi is
// killed rather than abandoned (node-nvidia-smi, which the worker uses today, runs it through
// child_process.exec). The probe script and the GPU kit use this; the same parser reads it.
import { runProcess } from '@framesmith/core/media/run-process';
import { type GpuInfo, parseNvidiaSmiXml } from '../src/gpu-capabilities.js';

const NVIDIA_SMI_TIMEOUT_MS = 15_000;

/** GPUs from `nvidia-smi -q -x`. A missing nvidia-smi throws BinaryMissingError, so callers can say so. */
export async function readGpusWithRunner(opts: { nvidiaSmi?: string; timeoutMs?: number } = {}): Promise<GpuInfo[]> {
  const { stdout } = await runProcess(opts.nvidiaSmi ?? 'nvidia-smi', ['-q', '-x'], {
    timeoutMs: opts.timeoutMs ?? NVIDIA_SMI_TIMEOUT_MS,
    maxStdoutBytes: 16 << 20,
  });
  return parseNvidiaSmiXml(stdout.toString('utf8'));
}
