// Which video strategy a GPU worker chose, read from its own /metrics (the start-up trials'
// framesmith_gpu_capability gauges), and whether that fits this machine. Tests assert the
// strategy the probe chose rather than a fixed `cpu`, so they pass on a GPU machine too.
import { BinaryMissingError, runProcess } from '@framesmith/core/media/run-process';
import type { VideoStrategyName } from '../../workers/gpu/src/clip/video-strategy.js';
import { stack } from './api.js';

/** The strategy every job slot gets, from the capability gauges (what chooseStrategy does with the trials). */
export function strategyFromCapabilityMetrics(metricsText: string): VideoStrategyName {
  const caps = new Map<string, { nvdec: boolean; nvenc: boolean }>();
  for (const m of metricsText.matchAll(/^framesmith_gpu_capability\{gpu="(\d+)",feature="(nvdec|nvenc)"\} ([01])$/gm)) {
    const g = caps.get(m[1]!) ?? { nvdec: false, nvenc: false };
    g[m[2] as 'nvdec' | 'nvenc'] = m[3] === '1';
    caps.set(m[1]!, g);
  }
  const usable = [...caps.values()].filter((g) => g.nvdec);
  if (usable.length === 0) return 'cpu';
  const names = new Set(usable.map((g) => (g.nvenc ? 'nvdec-nvenc' : 'nvdec-x264')));
  // Mixed GPUs give per-slot strategies; no test machine has them, so say so rather than guess.
  if (names.size > 1) throw new Error(`GPUs with and without NVENC: the strategy depends on the job's slot (${[...names].join(', ')})`);
  return [...names][0] as VideoStrategyName;
}

/** True when nvidia-smi lists at least one GPU on this machine. */
export async function machineHasNvidiaGpu(): Promise<boolean> {
  try {
    const { stdout } = await runProcess('nvidia-smi', ['-L'], { timeoutMs: 30_000 });
    return /^GPU \d+:/m.test(stdout.toString('utf8'));
  } catch (err) {
    if (err instanceof BinaryMissingError) return false;
    throw err;
  }
}

/**
 * The strategy of the stack's GPU worker, checked against the machine: no GPU here means
 * the probe must have chosen the CPU; with a GPU, the probe must have run its trials on it
 * (whichever way they went).
 */
export async function stackVideoStrategy(): Promise<VideoStrategyName> {
  const port = stack().metricsPorts['worker-gpu'];
  if (port === undefined) throw new Error('the test stack has no GPU worker');
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const strategy = strategyFromCapabilityMetrics(text);
  if (process.env.HWACCEL === 'disable') return strategy;
  const trialsRan = /^framesmith_gpu_capability\{/m.test(text);
  if (trialsRan !== (await machineHasNvidiaGpu())) {
    throw new Error(`the GPU worker's probe ${trialsRan ? 'tried GPUs this machine lacks' : 'ran no GPU trial, but this machine has a GPU'}`);
  }
  return strategy;
}
