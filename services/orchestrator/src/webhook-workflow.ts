// One completion webhook delivery: its own workflow, started by the asset workflow as an
// abandoned child. Why a child and not an activity inside the asset workflow: the asset
// workflow then closes when the asset does (its status, the reconciler and the gateway's
// progress keep meaning "the media job"), while a receiver that is down for hours is one
// RUNNING `webhook-<asset id>` entry in the Temporal UI whose pending activity shows the
// attempt count, the last failure and the next retry, and which an operator can terminate
// alone. Deterministic and thin, like every workflow here.
import { log, ParentClosePolicy, proxyActivities, proxyLocalActivities, startChild, uuid4 } from '@temporalio/workflow';
import type { AssetWorkflowInput } from '@framesmith/core/domain/job';
import { DEFAULT_WORKFLOW_TIMEOUTS, FAILURE_TYPE, type WorkflowTimeouts } from '@framesmith/core/temporal/activity-policy';
import { webhookWorkflowStart } from '@framesmith/core/temporal/names';
import type { WebhookActivities } from './activity-types.js';
import { backoff, localActivityOptions } from './activity-options.js';

export interface WebhookWorkflowInput {
  assetId: string;
  callbackUrl: string;
  /** The parent's local-activity timeouts; absent in inputs recorded before they travelled. */
  localTimeouts?: WorkflowTimeouts['local'];
}

export type WebhookWorkflowResult =
  | { delivered: true; deliveryId: string; status: number; attempt: number }
  | { delivered: false; deliveryId: string; reason: string };

export async function webhookWorkflow(input: WebhookWorkflowInput): Promise<WebhookWorkflowResult> {
  // A database read in the orchestrator, retried for as long as the database is away.
  const local = proxyLocalActivities<WebhookActivities>(localActivityOptions(input.localTimeouts ?? DEFAULT_WORKFLOW_TIMEOUTS.local));
  // Made once and kept in history: every attempt carries the same id, so the receiver can
  // drop the duplicates that at-least-once delivery allows.
  const deliveryId = uuid4();
  const prepared = await local.prepareWebhook({ assetId: input.assetId });
  if (!prepared) return { delivered: false, deliveryId, reason: 'the asset was deleted before its webhook was sent' };
  const send = proxyActivities<WebhookActivities>({
    startToCloseTimeout: prepared.attemptTimeoutMs,
    // The 24 h budget covers every attempt and the waits between them; after it the
    // workflow fails, visibly, with the last attempt's error.
    scheduleToCloseTimeout: prepared.retryForMs,
    retry: { ...backoff(prepared), nonRetryableErrorTypes: [FAILURE_TYPE.webhookRefused] },
  });
  const r = await send.deliverWebhook({ url: input.callbackUrl, deliveryId, event: prepared.event, body: prepared.body });
  return { delivered: true, deliveryId, ...r };
}

/**
 * Called by the asset workflow once the asset is COMPLETED or FAILED: starts the delivery and
 * returns as soon as it has started (the start is in the parent's history, so it happens
 * exactly once), without waiting for the receiver.
 */
export async function startWebhook(input: AssetWorkflowInput, localTimeouts: WorkflowTimeouts['local']): Promise<void> {
  if (!input.callbackUrl) return;
  const { assetId, eventId } = input.job;
  try {
    await startChild(webhookWorkflow, {
      ...webhookWorkflowStart(assetId, eventId),
      args: [{ assetId, callbackUrl: input.callbackUrl, localTimeouts }],
      // The asset workflow closes now; its delivery goes on for up to 24 h.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (err) {
    // Already started: the asset has its delivery (an operator reset the asset workflow), one
    // is enough. Anything else is logged, not thrown: the asset's state is written and must
    // not turn FAILED because its notification could not be started.
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') log.error('could not start the completion webhook', { assetId, error: (err as Error).message });
  }
}
