// The GPU worker: video clips on the GPU task queue, with NVDEC/NVENC where they really work.
import { loadConfig } from '@framesmith/core/config';
import { startHealthServer } from '@framesmith/core/ops/health-server';
import { log, onDrainSignal } from '@framesmith/core/ops/lifecycle';
import { createLocalStorage } from '@framesmith/core/storage';
import { mediaWorkerOptions } from '@framesmith/core/temporal/media-worker-options';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createGpuActivities } from './activities.js';

async function main() {
  const config = loadConfig();
  const storage = createLocalStorage(config.storageRoot);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueues.gpu,
    activities: createGpuActivities({ config, storage }),
    maxConcurrentActivityTaskExecutions: config.gpuConcurrencyPerDevice ?? 2,
    ...mediaWorkerOptions(config),
  });
  const health = await startHealthServer(config.metricsPort, config.host, async () => worker.getState() === 'RUNNING');
  log('worker-gpu', 'polling', { taskQueue: config.taskQueues.gpu, metricsPort: health.port });
  onDrainSignal(() => worker.shutdown());
  await worker.run();
  await health.close();
  await connection.close();
  process.exit(0);
}

main().catch((err) => {
  console.error('[worker-gpu] failed:', err);
  process.exit(1);
});
