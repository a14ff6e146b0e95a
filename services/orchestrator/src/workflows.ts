// Workflows: deterministic and thin. All I/O happens in activities; these only decide the
// order, the queues, the retry policy and what a failure means for the asset.
import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { AssetWorkflowInput, AssetWorkflowResult, MediaJob, MediaResult } from '@framesmith/core/domain/job';
import { DEFAULT_WORKFLOW_TIMEOUTS, type SyncResult, type WithTimeouts } from '@framesmith/core/temporal/activity-policy';
import type { MediaActivities, StateActivities } from './activity-types.js';
import { localActivityOptions, mediaActivityOptions, syncActivityOptions } from './activity-options.js';
import { waitForLiveEdge } from './live-wait.js';
import { startWebhook } from './webhook-workflow.js';

export { webhookWorkflow } from './webhook-workflow.js';

export async function assetWorkflow(input: AssetWorkflowInput & WithTimeouts): Promise<AssetWorkflowResult> {
  const { job } = input;
  const timeouts = input.timeouts ?? DEFAULT_WORKFLOW_TIMEOUTS;
  // State writes run where the database is: local activities save a task-queue round trip (bench B2).
  const state = proxyLocalActivities<StateActivities>(localActivityOptions(timeouts.local));
  const media = proxyActivities<MediaActivities>(mediaActivityOptions(timeouts.media, input.mediaTaskQueue, input.priority));
  try {
    // A request past a live window's edge first waits for it, durably (live-wait.ts).
    if (input.liveWait) await waitForLiveEdge(job.source, input.liveWait, timeouts.liveRead);
    const result = await runMediaJob(media, job);
    const completed = await state.completeAsset({ assetId: job.assetId, path: result.path });
    if (completed === 'completed') await startWebhook(input, timeouts.local);
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
    await CancellationScope.nonCancellable(() => startWebhook(input, timeouts.local));
    // The asset is FAILED; the workflow fails too so the UI shows it and the stderr tail.
    throw ApplicationFailure.create({ message: reason, type: 'AssetFailed', nonRetryable: true, cause: err as Error });
  }
}

/** The job's own activity, each called with its own job type. */
function runMediaJob(media: MediaActivities, job: MediaJob): Promise<MediaResult> {
  switch (job.kind) {
    case 'image':
      return media.makeImage(job);
    case 'gif':
      return media.makeGif(job);
    case 'video':
      return media.makeVideo(job);
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

export async function syncWorkflow(input: { eventId: string } & WithTimeouts): Promise<SyncResult> {
  const sync = proxyActivities<StateActivities>(syncActivityOptions((input.timeouts ?? DEFAULT_WORKFLOW_TIMEOUTS).sync));
  return sync.syncEvent({ eventId: input.eventId });
}
