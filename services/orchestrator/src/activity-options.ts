// Workflow code: the Temporal options of each kind of activity, made from the timeouts the
// workflow was started with (config.ts → the workflow's input), so no workflow reads
// configuration and every one replays with the values it ran with.
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { FAILURE_TYPE, MEDIA_NON_RETRYABLE, type WorkflowTimeouts } from '@framesmith/core/temporal/activity-policy';

/** The exponential backoff every retried kind (and the webhook's delivery) shares: doubling from its first interval up to its cap. */
export function backoff(t: { retryInitialMs: number; retryMaxIntervalMs: number }) {
  return { initialInterval: t.retryInitialMs, backoffCoefficient: 2, maximumInterval: t.retryMaxIntervalMs };
}

/**
 * Local activities in the orchestrator (state writes, the webhook's read): one short PostgreSQL
 * statement each, run where the database is, which saves a task-queue round trip per call. They
 * retry for as long as the workflow lives (no attempt limit): giving up would close the
 * workflow with its asset still GENERATING, whatever the length of the database outage.
 */
export function localActivityOptions(t: WorkflowTimeouts['local']): LocalActivityOptions {
  return {
    startToCloseTimeout: t.startToCloseMs,
    retry: backoff(t),
  };
}

/** The media job on a CPU or GPU worker: heartbeats prove the worker alive, bad input is not retried. */
export function mediaActivityOptions(t: WorkflowTimeouts['media'], taskQueue: string, priorityKey: number): ActivityOptions {
  return {
    taskQueue,
    heartbeatTimeout: t.heartbeatMs,
    startToCloseTimeout: t.startToCloseMs,
    retry: { ...backoff(t), maximumAttempts: t.maxAttempts, nonRetryableErrorTypes: MEDIA_NON_RETRYABLE },
    priority: { priorityKey },
  };
}

/** One live playlist read; an unusable source is not retried. */
export function liveReadOptions(t: WorkflowTimeouts['liveRead']): ActivityOptions {
  return {
    startToCloseTimeout: t.startToCloseMs,
    retry: { ...backoff(t), maximumAttempts: t.maxAttempts, nonRetryableErrorTypes: [FAILURE_TYPE.source] },
  };
}

export function syncActivityOptions(t: WorkflowTimeouts['sync']): ActivityOptions {
  return { startToCloseTimeout: t.startToCloseMs, retry: { maximumAttempts: t.maxAttempts } };
}
