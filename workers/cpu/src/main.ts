// The CPU worker: images (ffmpeg + sharp) and GIFs (ffmpeg + gifski) on the CPU task queue.
import { loadConfig } from '@framesmith/core/config';
import { temporalConnectionOptions } from '@framesmith/core/temporal/connection-options';
import { installTemporalMetrics } from '@framesmith/worker-kit/temporal-metrics';
import { runMain } from '@framesmith/core/ops/lifecycle';
import { serveWorker } from '@framesmith/worker-kit/worker-process';
import { storageScratchFolders } from '@framesmith/core/ops/sweep-scratch';
import { createStorage } from '@framesmith/core/storage';
import { mediaWorkerOptions } from '@framesmith/worker-kit/media-worker-options';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createCpuActivities } from './activities.js';
import { frameFolders } from './frame-folder.js';

async function main() {
  const config = loadConfig();
  const sdkMetrics = await installTemporalMetrics();
  const storage = createStorage(config);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueues.cpu,
    activities: createCpuActivities({ config, storage }),
    maxConcurrentActivityTaskExecutions: config.cpuConcurrency,
    ...mediaWorkerOptions(config),
  });
  await serveWorker({
    name: 'worker-cpu',
    config,
    worker,
    sdkMetrics,
    scratch: [...storageScratchFolders(config), ...frameFolders()],
    logFields: { taskQueue: config.taskQueues.cpu, concurrency: config.cpuConcurrency },
    cleanup: () => connection.close(),
  });
}

runMain('worker-cpu', main);
