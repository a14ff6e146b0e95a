// GPU telemetry from `nvidia-smi -q -x`: the job the design card gives node-nvidia-smi.
//
// Decision: node-nvidia-smi is dropped, not wrapped. Its whole job (index.js, 1.0.0) is
// child_process.exec('nvidia-smi -q -x') and xml2js.parseString(stdout, {explicitArray: false,
// trim: true}). exec goes through a shell, takes no timeout and hands back no child to kill, so
// a hung nvidia-smi (a GPU fallen off the bus) stays behind on every poll; wrapping it cannot
// fix that. It also pins xml2js ^0.4 (prototype-pollution advisory, fixed in 0.5). Keeping it
// for its parser options would install both for one constant. So nvidia-smi runs here through
// the one process runner (no shell, config.gpu.nvidiaSmiTimeoutMs, SIGKILL on the deadline or
// the caller's AbortSignal) and its stdout goes through parse-nvidia-smi.ts with the same
// options on xml2js 0.6. One difference on purpose: node-nvidia-smi failed on any stderr output
// even when nvidia-smi exited 0; here exit code 0 and parseable XML are a reading.
import { readFile } from 'node:fs/promises';
import type { Config, GpuConfig } from '@framesmith/core/config';
import { BinaryMissingError, isExitFailure, ProcessError, runProcess } from '@framesmith/core/media/run-process';
import { type GpuInfo, parseNvidiaSmiXml } from './parse-nvidia-smi.js';

/** Reads the GPUs now; the signal kills a running nvidia-smi. */
export type ReadGpus = (signal?: AbortSignal) => Promise<GpuInfo[]>;

/** The part of config.gpu that running nvidia-smi needs. */
export type NvidiaSmiSettings = Pick<GpuConfig, 'nvidiaSmiPath' | 'nvidiaSmiTimeoutMs' | 'nvidiaSmiMaxOutputBytes'>;

export interface NvidiaSmiOptions extends NvidiaSmiSettings {
  signal?: AbortSignal;
}

// nvidia-smi(1), RETURN VALUE. nvidia-smi writes its own explanation to stdout, which the
// runner drops on failure, so the code is all a failed run leaves to say why.
const EXIT_MEANINGS: Record<number, string> = {
  2: 'a supplied argument or flag is invalid',
  3: 'the requested operation is not available on the target device',
  4: 'no permission to access this device',
  6: 'a query to find an object was unsuccessful',
  8: "a device's external power cables are not properly attached",
  9: 'the NVIDIA driver is not loaded',
  10: 'the NVIDIA kernel detected an interrupt issue with a GPU',
  12: 'the NVML shared library could not be found or loaded',
  13: 'the local NVML does not implement this function',
  14: 'the infoROM is corrupted',
  15: 'the GPU has fallen off the bus or become inaccessible',
  255: 'other error or internal driver error',
};

/**
 * GPUs from the real nvidia-smi (config.gpu.nvidiaSmiPath). Throws BinaryMissingError when it is not
 * installed, so a caller can tell "no NVIDIA driver" from "no GPU"; readGpus turns that into [].
 */
export async function queryNvidiaSmi(opts: NvidiaSmiOptions): Promise<GpuInfo[]> {
  const { stdout } = await runProcess(opts.nvidiaSmiPath, ['-q', '-x'], {
    timeoutMs: opts.nvidiaSmiTimeoutMs,
    maxStdoutBytes: opts.nvidiaSmiMaxOutputBytes,
    signal: opts.signal,
  }).catch((err: unknown) => {
    const meaning = isExitFailure(err) && err.exitCode !== null ? EXIT_MEANINGS[err.exitCode] : undefined;
    if (meaning === undefined || !(err instanceof ProcessError)) throw err;
    throw new ProcessError(`${err.message.replace(/:?\s*$/, '')}: ${meaning}`, err.command, err.exitCode, err.stderrTail);
  });
  return parseNvidiaSmiXml(stdout.toString('utf8'));
}

/**
 * GPUs from the real nvidia-smi; [] when nvidia-smi is not installed (a machine without
 * NVIDIA drivers). Other failures (nvidia-smi present but the driver not answering, a hung
 * nvidia-smi killed at its deadline, cancellation) throw.
 */
export async function readGpus(opts: NvidiaSmiOptions): Promise<GpuInfo[]> {
  try {
    return await queryNvidiaSmi(opts);
  } catch (err) {
    if (err instanceof BinaryMissingError) return [];
    throw err;
  }
}

/** GPUs from a recorded `nvidia-smi -q -x` file, for tests and demos on machines without a GPU. */
export async function readGpusFromXmlFile(file: string): Promise<GpuInfo[]> {
  return parseNvidiaSmiXml(await readFile(file, 'utf8'));
}

/** The worker's reader: the recorded file NVIDIA_SMI_XML_FILE names, else the real nvidia-smi. */
export function gpuReader(config: Pick<Config, 'nvidiaSmiXmlFile'> & { gpu: NvidiaSmiSettings }): ReadGpus {
  const file = config.nvidiaSmiXmlFile;
  if (file !== null) return () => readGpusFromXmlFile(file);
  const { nvidiaSmiPath, nvidiaSmiTimeoutMs, nvidiaSmiMaxOutputBytes } = config.gpu;
  return (signal) => readGpus({ nvidiaSmiPath, nvidiaSmiTimeoutMs, nvidiaSmiMaxOutputBytes, signal });
}
