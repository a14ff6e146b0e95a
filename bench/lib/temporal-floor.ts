// What Temporal alone costs an asset on this machine, so B2's and B2h's ratios can be read
// against it: a workflow of the asset workflow's shape with no work in it (floor-workflow.ts),
// timed from the client's start call to the moment its local activity begins (where the real
// workflow writes COMPLETED and the client's push follows). Its workers run in the harness
// process on queues of their own, against the stack's Temporal server; nothing of Framesmith's
// runs in it, so this is a lower bound for the pipeline's control path, not a model of it.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { summarize, type Summary } from './stats.js';

export interface TemporalFloor {
  /** start() call → the local activity's first line, ms. */
  startToStateMs: Summary;
  runs: number;
}

const WARM_UP = 3;
// Spaced as B2's requests are (a raw grab between two): started back to back, each dispatch of
// this shape waited 30-45 ms on the dev server (all three hops, with either matcher; measured),
// which B2's runs never see (their dispatches take 2-4 ms).
const SPACING_MS = 200;
let runtimeInstalled = false;

/** The SDK's worker logs (state changes, the webpack bundle) stay off the harness's console. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // Before the first NativeConnection, which would make the default (INFO) runtime.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // A runtime made earlier in this process keeps its logger: louder, nothing worse.
  }
}

export async function measureTemporalFloor(address: string, runs: number): Promise<TemporalFloor> {
  const tag = randomUUID().slice(0, 8);
  const workflowQueue = `bench-floor-workflow-${tag}`;
  const mediaTaskQueue = `bench-floor-media-${tag}`;
  const stateAt = new Map<string, number>();
  quietRuntime();
  const workflowConnection = await NativeConnection.connect({ address });
  const mediaConnection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const workflowWorker = await Worker.create({
    connection: workflowConnection,
    taskQueue: workflowQueue,
    workflowsPath: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)),
    activities: { state: async (id: string) => void stateAt.set(id, performance.now()) },
  });
  const mediaWorker = await Worker.create({ connection: mediaConnection, taskQueue: mediaTaskQueue, activities: { media: async (id: string) => id } });
  const running = Promise.all([workflowWorker.run(), mediaWorker.run()]);
  try {
    const client = new Client({ connection: clientConnection });
    const samples: number[] = [];
    for (let i = 0; i < WARM_UP + runs; i++) {
      const id = `bench-floor-${tag}-${i}`;
      const t0 = performance.now();
      const handle = await client.workflow.start('floorWorkflow', { taskQueue: workflowQueue, workflowId: id, args: [{ id, mediaTaskQueue }] });
      await handle.result();
      if (i >= WARM_UP) samples.push(stateAt.get(id)! - t0);
      await new Promise((r) => setTimeout(r, SPACING_MS));
    }
    return { startToStateMs: summarize(samples), runs };
  } finally {
    workflowWorker.shutdown();
    mediaWorker.shutdown();
    await running;
    await clientConnection.close();
    await workflowConnection.close();
    await mediaConnection.close();
  }
}
