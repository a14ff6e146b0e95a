// Starting an asset workflow, shared by the gateway and the orphan reconciler so both
// start it the same way and a second start is a no-op.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Config } from '../config.js';
import type { AssetWorkflowInput } from '../domain/job.js';
import type { WithTimeouts } from './activity-policy.js';
import { callWithDeadline } from './call-with-deadline.js';
import { SA, WORKFLOW } from './names.js';

/**
 * Starts the workflow; returns false when it already ran (same ID, closed). Fails with a
 * TemporalDeadlineError when Temporal does not answer within `config.timeouts.temporalCallMs`.
 */
export async function startAssetWorkflow(client: Client, config: Config, input: AssetWorkflowInput, workflowId: string): Promise<boolean> {
  try {
    await callWithDeadline(client, config.timeouts.temporalCallMs, 'to start the workflow', () => client.workflow.start(WORKFLOW.asset, {
      taskQueue: config.taskQueues.orchestration,
      workflowId,
      // The activities' timeouts travel in the input: the workflow reads no configuration.
      args: [{ ...input, timeouts: config.workflowTimeouts } satisfies AssetWorkflowInput & WithTimeouts],
      // The same ID twice (a retried request, the reconciler) joins the running one and
      // never re-runs a finished job.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      priority: { priorityKey: input.priority },
      typedSearchAttributes: [
        { key: SA.assetId, value: input.job.assetId },
        { key: SA.eventId, value: input.job.eventId },
        { key: SA.assetType, value: input.job.kind.toUpperCase() },
        { key: SA.priority, value: input.priority },
      ],
    }));
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
