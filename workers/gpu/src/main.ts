// The GPU worker: video clips on the GPU task queue. At start-up it finds out what really
// works (nvidia-smi, then a trial decode/encode through ffmpeg) and picks per job:
// NVDEC+NVENC, NVDEC+libx264 (Hopper has no NVENC), or the CPU.
import { loadConfig } from '@framesmith/core/config';
import { temporalConnectionOptions } from '@framesmith/core/temporal/connection-options';
import { installTemporalMetrics } from '@framesmith/worker-kit/temporal-metrics';
import { log, runMain } from '@framesmith/core/ops/lifecycle';
import { serveWorker } from '@framesmith/worker-kit/worker-process';
import { storageScratchFolders } from '@framesmith/core/ops/sweep-scratch';
import { createStorage } from '@framesmith/core/storage';
import { mediaWorkerOptions } from '@framesmith/worker-kit/media-worker-options';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createGpuActivities } from './activities.js';
import { defaultConcurrencyPerGpu } from './choose-strategy.js';
import { probeCapabilities } from './gpu-trials.js';
import { gpuReader } from './read-gpus.js';
import { createGpuScheduler } from './gpu-scheduler.js';
import { startGpuTelemetry, updateGpuCapabilityMetrics } from './gpu-telemetry.js';

// nvidia-smi numbers GPUs by PCI bus; make CUDA (ffmpeg's -hwaccel_device / -gpu) agree.
process.env.CUDA_DEVICE_ORDER ??= 'PCI_BUS_ID';

async function main() {
  const config = loadConfig();
  const sdkMetrics = await installTemporalMetrics();
  const storage = createStorage(config);
  const read = gpuReader(config);
  const caps = await probeCapabilities({ ffmpegPath: config.ffmpegPath, hwAccel: config.hwAccel, readGpus: read, trialTimeoutMs: config.gpu.trialTimeoutMs });
  updateGpuCapabilityMetrics(caps.perGpu);
  const scheduler = createGpuScheduler(caps, config.hwAccel);
  const first = scheduler.acquire(); // HWACCEL=required without a working GPU fails here, at start-up
  first.release();
  const usableGpus = Math.max(1, caps.perGpu.filter((g) => g.nvdec).length);
  const perGpu = config.gpuConcurrencyPerDevice ?? defaultConcurrencyPerGpu(caps);
  log('worker-gpu', 'capabilities', {
    gpus: caps.gpus.map((g) => g.name),
    perGpu: caps.perGpu,
    strategy: first.strategy.name,
    concurrency: perGpu * usableGpus,
  });
  const telemetry = startGpuTelemetry({ readGpus: read, intervalMs: config.gpu.telemetryIntervalMs, onError: (err) => log('worker-gpu', 'telemetry failed', { error: String(err) }) });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueues.gpu,
    activities: createGpuActivities({ config, storage, scheduler }),
    maxConcurrentActivityTaskExecutions: perGpu * usableGpus,
    ...mediaWorkerOptions(config),
  });
  await serveWorker({
    name: 'worker-gpu',
    config,
    worker,
    sdkMetrics,
    scratch: storageScratchFolders(config),
    logFields: { taskQueue: config.taskQueues.gpu },
    cleanup: async () => {
      telemetry.stop();
      await connection.close();
    },
  });
}

runMain('worker-gpu', main);
