// Worker options every media worker (CPU and GPU) shares.
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from '@framesmith/core/config';
import { transactionActivityInterceptor } from './activity-interceptors.js';

export function mediaWorkerOptions(config: Config) {
  const options = {
    // Heartbeats carry cancellation back to the worker: throttled to at most one a second
    // (the SDK default can hold them for 80% of the heartbeat timeout), a deleted asset's
    // ffmpeg is killed within about two seconds.
    maxHeartbeatThrottleInterval: '1 second',
    // On SIGTERM: stop polling, let running jobs finish within the grace period, then cancel
    // them so Temporal retries them on another worker.
    shutdownGraceTime: config.drainGraceMs,
    // Each job's log lines carry the transaction id of the request that made it.
    interceptors: { activity: [transactionActivityInterceptor] },
  };
  return options satisfies Partial<WorkerOptions>;
}
