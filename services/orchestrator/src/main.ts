// The orchestrator: runs the workflows and the state/sync activities on the orchestration
// queue, and reconciles assets whose workflow never started.
import { loadConfig } from '@framesmith/core/config';
import { temporalConnectionOptions } from '@framesmith/core/temporal/connection-options';
import { createPool } from '@framesmith/core/db/pool';
import { createRepo } from '@framesmith/core/db/repo';
import { installTemporalMetrics } from '@framesmith/worker-kit/temporal-metrics';
import { log, runMain } from '@framesmith/core/ops/lifecycle';
import { serveWorker } from '@framesmith/worker-kit/worker-process';
import { createStorage } from '@framesmith/core/storage';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createSearchAttributeCheck } from '@framesmith/core/temporal/search-attributes';
import { transactionClientInterceptor } from '@framesmith/core/temporal/transaction-interceptors';
import { workerInterceptors } from '@framesmith/worker-kit/activity-interceptors';
import { reconcileOrphans } from './reconcile-orphans.js';
import { createStateActivities } from './state-activities.js';
import { createLiveActivities } from './live-activities.js';
import { createWebhookActivities } from './webhook-activities.js';
import { workflowCode } from './workflow-code.js';

async function main() {
  const config = loadConfig();
  const sdkMetrics = await installTemporalMetrics();
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required');
  const pool = createPool(config.databaseUrl, config.timeouts);
  const repo = createRepo(pool, { pathRoots: [config.storageRoot] });
  const storage = createStorage(config);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const clientConnection = await Connection.connect(temporalConnectionOptions(config));
  const client = new Client({ connection: clientConnection, namespace: config.temporalNamespace, interceptors: { workflow: [transactionClientInterceptor] } });
  const searchAttributes = createSearchAttributeCheck(clientConnection, config);
  const saProblem = await searchAttributes();
  if (saProblem) log('orchestrator', 'not ready', { reason: saProblem });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueues.orchestration,
    // The prebuilt bundle when compiled, else workflows.ts bundled now (workflow-code.ts).
    // The request's transaction id from the gateway's start through to every activity.
    ...workflowCode(workerInterceptors()),
    // The live wait's playlist reads (live-activities.ts) are short and need storage and the egress policy, both here.
    activities: { ...createStateActivities({ repo, storage }), ...createWebhookActivities({ repo, config }), ...createLiveActivities({ config, storage }) },
  });
  const timer = setInterval(() => {
    reconcileOrphans(repo, client, config).catch((err: unknown) => log('orchestrator', 'reconcile failed', { error: err }));
  }, Math.max(1000, Math.floor(config.orphanAfterMs / 3)));
  await serveWorker({
    name: 'orchestrator',
    config,
    worker,
    sdkMetrics,
    ready: async () => {
      await pool.query('SELECT 1');
      const problem = await searchAttributes();
      if (problem) throw new Error(problem);
      return true;
    },
    logFields: { taskQueue: config.taskQueues.orchestration },
    onDrain: () => clearInterval(timer),
    cleanup: async () => {
      await clientConnection.close();
      await connection.close();
      await pool.end();
    },
  });
}

runMain('orchestrator', main);
