// What every Temporal worker process (orchestrator, CPU, GPU) does around its Worker: health
// and metrics, a drain on SIGTERM, and an orderly exit once the worker has stopped.
import type { Worker } from '@temporalio/worker';
import type { Config } from '@framesmith/core/config';
import { startHealthServer } from '@framesmith/core/ops/health-server';
import { log, onDrainSignal } from '@framesmith/core/ops/lifecycle';
import { type ScratchFolder, sweepScratch } from '@framesmith/core/ops/sweep-scratch';

export interface ServeWorkerOptions {
  name: string;
  config: Config;
  worker: Worker;
  /** Extra readiness (e.g. PostgreSQL) on top of the worker polling. */
  ready?: () => Promise<boolean>;
  /** The Temporal SDK's metrics text, appended to /metrics. */
  sdkMetrics: () => Promise<string>;
  logFields?: Record<string, unknown>;
  /** Called when the drain starts (stop timers that would start new work). */
  onDrain?: () => void;
  /** Closes connections and pools after the worker stopped. */
  cleanup: () => Promise<void>;
  /** Folders where this kind of worker leaves scratch: entries of dead processes are removed at start. */
  scratch?: ScratchFolder[];
}

export async function serveWorker(o: ServeWorkerOptions): Promise<never> {
  const stale = await sweepScratch(o.scratch ?? []);
  if (stale.length > 0) log(o.name, 'removed scratch left by dead processes', { entries: stale });
  const health = await startHealthServer(
    o.config.metricsPort,
    o.config.host,
    async () => o.worker.getState() === 'RUNNING' && (o.ready ? await o.ready() : true),
    o.sdkMetrics,
  );
  log(o.name, 'polling', { ...o.logFields, metricsPort: health.port });
  onDrainSignal(() => {
    o.onDrain?.();
    o.worker.shutdown();
  });
  await o.worker.run();
  await health.close();
  await o.cleanup();
  process.exit(0);
}
