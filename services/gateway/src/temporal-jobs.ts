// JobControl on Temporal: one workflow per asset (its ID is the asset's jobId), one sync
// workflow per event at a time. Every call carries a deadline, so a stalled or unreachable
// Temporal becomes a 503 within seconds, not a request that hangs for the whole outage.
import type { Config } from '@framesmith/core/config';
import { ASSET_TYPES } from '@framesmith/core/domain/asset';
import { ApiError } from '@framesmith/core/errors';
import { SA, syncWorkflowId, WORKFLOW } from '@framesmith/core/temporal/names';
import { type Client, defaultPayloadConverter, WorkflowNotFoundError } from '@temporalio/client';
import { callWithDeadline } from '@framesmith/core/temporal/call-with-deadline';
import { startAssetWorkflow } from '@framesmith/core/temporal/start-asset-workflow';
import type { JobControl } from './service/job-control.js';
import { progressOf, type SyncResult } from '@framesmith/core/temporal/activity-policy';
import type { LiveWaitStatus } from '@framesmith/core/media/live-window';

function unavailable(what: string, err: unknown): ApiError {
  return new ApiError('Unavailable', `Unable to ${what} because the orchestration service is unavailable`, {}, { cause: err });
}

export function createTemporalJobs(client: Client, config: Config): JobControl {
  const ms = config.timeouts.temporalCallMs;
  return {
    async startAsset(input, asset) {
      await startAssetWorkflow(client, config, input, asset.jobId!);
    },
    async cancelAsset(jobId) {
      try {
        await callWithDeadline(client, ms, 'to cancel the workflow', () => client.workflow.getHandle(jobId).cancel());
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        // Already closed workflows answer with a failed precondition; nothing to cancel.
        if (/already completed|not found|closed/i.test((err as Error).message)) return false;
        throw unavailable('cancel the job', err);
      }
    },
    async describe(jobId) {
      const d = await callWithDeadline(client, ms, 'to describe the workflow', () => client.workflow.getHandle(jobId).describe());
      const payload = d.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      // Written by the workflow's live wait (services/orchestrator/src/live-wait.ts).
      const wait = d.memo?.liveWait as LiveWaitStatus | undefined;
      return {
        progress: payload ? progressOf(defaultPayloadConverter.fromPayload(payload)) : null,
        liveWait: wait && typeof wait.untilMs === 'number' ? wait : null,
      };
    },
    async runSync(eventId): Promise<SyncResult> {
      let handle;
      try {
        handle = await callWithDeadline(client, ms, 'to start the sync workflow', () =>
          client.workflow.start(WORKFLOW.sync, {
            taskQueue: config.taskQueues.orchestration,
            workflowId: syncWorkflowId(eventId),
            args: [{ eventId, timeouts: config.workflowTimeouts }],
            // A second sync of the same event joins the running one instead of running beside it.
            workflowIdConflictPolicy: 'USE_EXISTING',
            typedSearchAttributes: [{ key: SA.eventId, value: eventId }, { key: SA.assetType, value: ASSET_TYPES[0] }],
          }),
        );
      } catch (err) {
        throw unavailable('start the sync', err);
      }
      // The result is a long poll for as long as the sync runs; it has no short deadline.
      return handle.result();
    },
  };
}
