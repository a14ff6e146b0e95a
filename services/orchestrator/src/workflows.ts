// Workflows: deterministic and thin. All I/O happens in activities; these only decide the
// order, the queues, the retry policy and what a failure means for the asset.
import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { AssetWorkflowInput, AssetWorkflowResult } from '@framesmith/core/domain/job';
import type { MediaActivities, StateActivities } from './activity-types.js';
import type { SyncResult } from './sync-event.js';
import { waitForLiveEdge } from './live-wait.js';
import { startWebhook } from './webhook-workflow.js';

export { webhookWorkflow } from './webhook-workflow.js';

const NON_RETRYABLE = ['SourceError', 'BadInputError', 'MediaError'];

// State writes are one short PostgreSQL statement each: local activities in the orchestrator
// (which has the database) save a task-queue round trip per job (bench B2). They retry for as
// long as the workflow lives (no attempt limit): giving up would close the workflow with its
// asset still GENERATING, whatever the length of the database outage.
const state = proxyLocalActivities<StateActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const MEDIA_ACTIVITY = { image: 'makeImage', gif: 'makeGif', video: 'makeVideo' } as const;

export async function assetWorkflow(input: AssetWorkflowInput): Promise<AssetWorkflowResult> {
  const { job } = input;
  const media = proxyActivities<MediaActivities>({
    taskQueue: input.mediaTaskQueue,
    // Heartbeats every 2 s: a worker that dies is noticed within 20 s and the job moves on.
    heartbeatTimeout: '20 seconds',
    startToCloseTimeout: '30 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
    priority: { priorityKey: input.priority },
  });
  try {
    // A request past a live window's edge first waits for it, durably (live-wait.ts).
    if (input.liveWait) await waitForLiveEdge(job.source, input.liveWait);
    const result = await media[MEDIA_ACTIVITY[job.kind]](job);
    const completed = await state.completeAsset({ assetId: job.assetId, path: result.path });
    if (completed === 'completed') await startWebhook(input);
    return { assetId: job.assetId, state: 'COMPLETED', path: result.path, strategy: result.strategy, failureReason: null };
  } catch (err) {
    if (isCancellation(err)) {
      // The activity has acknowledged the cancellation (it waits for that by default), but it
      // may have stored its file just before: the deleted asset's file must not outlive it.
      await CancellationScope.nonCancellable(() => state.discardOutput({ assetId: job.assetId, path: job.outputPath }));
      throw err;
    }
    const reason = failureReason(err);
    await CancellationScope.nonCancellable(() => state.failAsset({ assetId: job.assetId, reason }));
    await CancellationScope.nonCancellable(() => startWebhook(input));
    // The asset is FAILED; the workflow fails too so the UI shows it and the stderr tail.
    throw ApplicationFailure.create({ message: reason, type: 'AssetFailed', nonRetryable: true, cause: err as Error });
  }
}

function failureReason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const tail = (cause.details?.[0] as { stderrTail?: string } | undefined)?.stderrTail?.trim();
    const lastLines = tail ? tail.split('\n').slice(-3).join(' | ') : '';
    return lastLines && !cause.message.includes(lastLines) ? `${cause.message} (${lastLines})` : cause.message;
  }
  return (cause as Error)?.message ?? String(cause);
}

const sync = proxyActivities<StateActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3 },
});

export async function syncWorkflow(input: { eventId: string }): Promise<SyncResult> {
  return sync.syncEvent(input);
}
