// The CPU worker: images (ffmpeg + sharp) and GIFs (ffmpeg + gifski) on the CPU task queue.
import { loadConfig } from '@framesmith/core/config';
import { temporalConnectionOptions } from '@framesmith/core/temporal/connection-options';
import { startHealthServer } from '@framesmith/core/ops/health-server';
import { installTemporalMetrics } from '@framesmith/core/ops/temporal-metrics';
import { log, onDrainSignal } from '@framesmith/core/ops/lifecycle';
import { createLocalStorage } from '@framesmith/core/storage';
import { mediaWorkerOptions } from '@framesmith/core/temporal/media-worker-options';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createCpuActivities } from './activities.js';

async function main() {
  const config = loadConfig();
  const sdkMetrics = await installTemporalMetrics();
  const storage = createLocalStorage(config.storageRoot);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueues.cpu,
    activities: createCpuActivities({ config, storage }),
    maxConcurrentActivityTaskExecutions: config.cpuConcurrency,
    ...mediaWorkerOptions(config),
  });
  const health = await startHealthServer(config.metricsPort, config.host, async () => worker.getState() === 'RUNNING', sdkMetrics);
  log('worker-cpu', 'polling', { taskQueue: config.taskQueues.cpu, concurrency: config.cpuConcurrency, metricsPort: health.port });
  onDrainSignal(() => worker.shutdown());
  await worker.run();
  await health.close();
  await connection.close();
  process.exit(0);
}

main().catch((err) => {
  console.error('[worker-cpu] failed:', err);
  process.exit(1);
});
