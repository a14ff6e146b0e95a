// GPU figures on the worker's /metrics, from nvidia-smi polled on a timer. Ratios are 0..1
// (Prometheus convention), memory in bytes. A GPU that reports a field as N/A has no series
// for it rather than a made-up 0; a GPU that disappears loses all its series on the next poll.
// The readings come from read-gpus.ts, which runs nvidia-smi through the process runner with a
// deadline (why node-nvidia-smi is no longer used: the comment at its top).
import { log } from '@framesmith/core/ops/lifecycle';
import { registry } from '@framesmith/core/ops/metrics';
import client from 'prom-client';
import type { GpuCapability } from './gpu-trials.js';
import type { GpuInfo } from './parse-nvidia-smi.js';
import type { ReadGpus } from './read-gpus.js';

const gauge = (name: string, help: string) =>
  new client.Gauge({ name, help, labelNames: ['gpu'] as const, registers: [registry] });

export const gpuUtilization = gauge('framesmith_gpu_utilization_ratio', 'GPU busy fraction over nvidia-smi\'s sample period');
export const gpuEncoderUtilization = gauge('framesmith_gpu_encoder_utilization_ratio', 'NVENC busy fraction');
export const gpuDecoderUtilization = gauge('framesmith_gpu_decoder_utilization_ratio', 'NVDEC busy fraction');
export const gpuEncoderSessions = gauge('framesmith_gpu_encoder_sessions', 'Open NVENC sessions (all processes)');
export const gpuMemoryUsed = gauge('framesmith_gpu_memory_used_bytes', 'Frame buffer memory in use');
export const gpuMemoryTotal = gauge('framesmith_gpu_memory_total_bytes', 'Frame buffer memory size');
export const gpuTemperature = gauge('framesmith_gpu_temperature_celsius', 'GPU core temperature');
export const gpuCapability = new client.Gauge({
  name: 'framesmith_gpu_capability',
  help: 'Whether the start-up trial of a GPU feature passed (1) or failed (0)',
  labelNames: ['gpu', 'feature'] as const,
  registers: [registry],
});

const perGpu: Array<[client.Gauge<'gpu'>, (g: GpuInfo) => number | null]> = [
  [gpuUtilization, (g) => g.utilization],
  [gpuEncoderUtilization, (g) => g.encoderUtilization],
  [gpuDecoderUtilization, (g) => g.decoderUtilization],
  [gpuEncoderSessions, (g) => g.encoderSessions],
  [gpuMemoryUsed, (g) => g.memoryUsedBytes],
  [gpuMemoryTotal, (g) => g.memoryTotalBytes],
  [gpuTemperature, (g) => g.temperatureC],
];

/** Replaces every per-GPU figure with these readings (synchronous, so no scrape sees half of it). */
export function updateGpuMetrics(gpus: readonly GpuInfo[]): void {
  for (const [metric, pick] of perGpu) {
    metric.reset();
    for (const g of gpus) {
      const value = pick(g);
      if (value !== null) metric.set({ gpu: String(g.index) }, value);
    }
  }
}

/** The probe's findings, once at start-up. */
export function updateGpuCapabilityMetrics(perGpuCaps: readonly GpuCapability[]): void {
  gpuCapability.reset();
  for (const c of perGpuCaps) {
    gpuCapability.set({ gpu: String(c.index), feature: 'nvdec' }, c.nvdec ? 1 : 0);
    gpuCapability.set({ gpu: String(c.index), feature: 'nvenc' }, c.nvenc ? 1 : 0);
  }
}

export interface GpuTelemetryOptions {
  /** nvidia-smi or a recording of it (read-gpus.ts, gpuReader). */
  readGpus: ReadGpus;
  /** config.gpu.telemetryIntervalMs */
  intervalMs: number;
  /** Default: log each new kind of failure once (a broken nvidia-smi would fail every poll). */
  onError?: (err: unknown) => void;
}

export interface GpuTelemetry {
  /** One reading now; resolves when it is on the gauges. Polls never overlap. */
  poll(): Promise<void>;
  /** No more polls; a reading in flight is cancelled (its nvidia-smi killed) and reports nothing. */
  stop(): void;
}

export function startGpuTelemetry(opts: GpuTelemetryOptions): GpuTelemetry {
  const stopped = new AbortController();
  let lastError: string | null = null;
  const onError =
    opts.onError ??
    ((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== lastError) log('worker-gpu', 'GPU telemetry read failed', { error: message });
      lastError = message;
    });

  let inFlight: Promise<void> | null = null;
  const poll = (): Promise<void> => {
    // A hung nvidia-smi must not pile up one more process per tick.
    inFlight ??= opts
      .readGpus(stopped.signal)
      .then(
        (gpus) => {
          updateGpuMetrics(gpus);
          lastError = null;
        },
        (err: unknown) => {
          if (stopped.signal.aborted) return;
          // Stale figures would look like a healthy GPU: drop them until a read succeeds.
          updateGpuMetrics([]);
          onError(err);
        },
      )
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };

  void poll();
  const timer = setInterval(() => void poll(), opts.intervalMs);
  timer.unref();
  return {
    poll,
    stop: () => {
      clearInterval(timer);
      stopped.abort();
    },
  };
}
