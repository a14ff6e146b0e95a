// JobControl on Temporal: one workflow per asset (its ID is the asset's jobId), one sync
// workflow per event at a time.
import type { Config } from '@framesmith/core/config';
import { ASSET_TYPES } from '@framesmith/core/domain/asset';
import { SA, syncWorkflowId, WORKFLOW } from '@framesmith/core/temporal/names';
import { type Client, defaultPayloadConverter, WorkflowNotFoundError } from '@temporalio/client';
import { startAssetWorkflow } from '@framesmith/core/temporal/start-asset-workflow';
import type { JobControl, SyncResult } from './service/asset-service.js';

export function createTemporalJobs(client: Client, config: Config): JobControl {
  return {
    async startAsset(input, asset) {
      await startAssetWorkflow(client, config, input, asset.jobId!);
    },
    async cancelAsset(jobId) {
      try {
        await client.workflow.getHandle(jobId).cancel();
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        // Already closed workflows answer with a failed precondition; nothing to cancel.
        if (/already completed|not found|closed/i.test((err as Error).message)) return false;
        throw err;
      }
    },
    async progress(jobId) {
      const d = await client.workflow.getHandle(jobId).describe();
      const payload = d.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      if (!payload) return null;
      const details = defaultPayloadConverter.fromPayload<{ progress?: unknown }>(payload);
      return typeof details?.progress === 'number' ? details.progress : null;
    },
    async runSync(eventId): Promise<SyncResult> {
      const handle = await client.workflow.start(WORKFLOW.sync, {
        taskQueue: config.taskQueues.orchestration,
        workflowId: syncWorkflowId(eventId),
        args: [{ eventId }],
        // A second sync of the same event joins the running one instead of running beside it.
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [{ key: SA.eventId, value: eventId }, { key: SA.assetType, value: ASSET_TYPES[0] }],
      });
      return handle.result();
    },
  };
}
