// No asset stays GENERATING without a live workflow. Two ways a row is left behind:
// - the crash window between "row inserted" and "workflow started": a gateway that dies there
//   leaves a row without a workflow. The row holds the full workflow input and the workflow ID
//   is derived from the asset, so starting it here is safe (an existing ID is never started twice);
// - a workflow that closed without its state write landing (terminated or timed out by an
//   operator, or a state write that gave up in an old workflow version): its outcome is applied
//   to the row here, since the workflow ID cannot run again under REJECT_DUPLICATE. Its
//   completion webhook, which that workflow would have started, is started here too.
import type { Config } from '@framesmith/core/config';
import type { AssetWorkflowInput, AssetWorkflowResult } from '@framesmith/core/domain/job';
import type { Repo } from '@framesmith/core/db/repo';
import { log } from '@framesmith/core/ops/lifecycle';
import { callWithDeadline } from '@framesmith/core/temporal/call-with-deadline';
import { startAssetWorkflow } from '@framesmith/core/temporal/start-asset-workflow';
import { WORKFLOW, webhookWorkflowStart } from '@framesmith/core/temporal/names';
import { type Client, WorkflowExecutionAlreadyStartedError, type WorkflowExecutionStatusName, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { WebhookWorkflowInput } from './webhook-workflow.js';

export type ClosedOutcome = { state: 'COMPLETED' } | { state: 'FAILED'; reason: string };

/**
 * Pure: what a closed workflow means for its asset. `result` is the workflow's result
 * (COMPLETED) or the error its result() threw (every other closed status).
 */
export function closedWorkflowOutcome(status: WorkflowExecutionStatusName, result: unknown): ClosedOutcome | null {
  const causeMessage = (result instanceof Error && result.cause instanceof Error ? result.cause.message : '') || '';
  switch (status) {
    case 'COMPLETED': {
      const r = result as AssetWorkflowResult | undefined;
      if (r?.state === 'FAILED') return { state: 'FAILED', reason: r.failureReason ?? 'the job failed' };
      return { state: 'COMPLETED' };
    }
    case 'FAILED':
      // The workflow fails with the asset's reason as its message (type AssetFailed).
      return { state: 'FAILED', reason: causeMessage || 'the job failed' };
    case 'CANCELLED':
      return { state: 'FAILED', reason: 'the job was cancelled' };
    case 'TERMINATED':
      return { state: 'FAILED', reason: causeMessage ? `the job was terminated (${causeMessage})` : 'the job was terminated' };
    case 'TIMED_OUT':
      return { state: 'FAILED', reason: 'the job timed out' };
    default:
      return null; // RUNNING, CONTINUED_AS_NEW (the next run decides), PAUSED, unknown
  }
}

export async function reconcileOrphans(repo: Repo, client: Client, config: Config): Promise<number> {
  const ms = config.timeouts.temporalCallMs;
  let fixed = 0;
  for (const asset of await repo.generatingOlderThan(config.orphanAfterMs)) {
    if (!asset.jobId) continue;
    const handle = client.workflow.getHandle(asset.jobId);
    const description = await callWithDeadline(client, ms, 'to describe the workflow', () => handle.describe()).catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    });
    if (description === null) {
      const input = (await repo.getAssetRequest(asset.id)) as AssetWorkflowInput | null;
      if (!input) {
        await repo.failAsset(asset.id, 'the request was lost before its job started');
      } else if (await startAssetWorkflow(client, config, input, asset.jobId)) {
        log('orchestrator', 'started orphaned asset workflow', { assetId: asset.id, jobId: asset.jobId });
      }
      fixed++;
      continue;
    }
    const status = description.status.name;
    if (status === 'RUNNING') continue;
    const result = await callWithDeadline(client, ms, 'to read the workflow result', () => handle.result()).catch((err: unknown) => {
      if (err instanceof WorkflowFailedError) return err;
      throw err;
    });
    const outcome = closedWorkflowOutcome(status, result);
    if (!outcome) continue;
    const row = outcome.state === 'COMPLETED' ? await repo.completeAsset(asset.id) : await repo.failAsset(asset.id, outcome.reason);
    if (row) {
      fixed++;
      log('orchestrator', 'applied a closed workflow to its asset', { assetId: asset.id, jobId: asset.jobId, workflowStatus: status, state: outcome.state });
      // After the row: the delivery reads the asset as it now is. Only the reconciler whose
      // write changed the row gets here; a delivery that failed to start is logged, as the asset
      // workflow does, since the row is written and the next pass no longer sees the asset.
      await startWebhook(repo, client, config, asset.id).catch((err: unknown) => log('orchestrator', 'could not start the completion webhook', { assetId: asset.id, error: err }));
    }
  }
  return fixed;
}

/** The completion webhook of an asset whose outcome the reconciler applied, if it asked for one. */
async function startWebhook(repo: Repo, client: Client, config: Config, assetId: string): Promise<void> {
  const input = (await repo.getAssetRequest(assetId)) as AssetWorkflowInput | null;
  const callbackUrl = input?.callbackUrl;
  if (!input || !callbackUrl) return;
  try {
    await callWithDeadline(client, config.timeouts.temporalCallMs, 'to start the completion webhook', () => client.workflow.start(WORKFLOW.webhook, {
      ...webhookWorkflowStart(assetId, input.job.eventId),
      taskQueue: config.taskQueues.orchestration,
      args: [{ assetId, callbackUrl, localTimeouts: config.workflowTimeouts.local } satisfies WebhookWorkflowInput],
      // One delivery per asset, ever: one the asset workflow started before it closed stands.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    }));
    log('orchestrator', 'started the completion webhook of a reconciled asset', { assetId });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
