// Completion webhook activities, run by the orchestrator (it has the database and the
// configuration's signing secret). Every POST goes through the one egress policy: the same
// allow-list as sources, no redirects, the address checked where the socket connects.
import type { Config } from '@framesmith/core/config';
import { AssetState } from '@framesmith/core/domain/asset';
import { presentAsset } from '@framesmith/core/domain/asset-view';
import type { Repo } from '@framesmith/core/db/repo';
import { egressPolicyFromConfig } from '@framesmith/core/net/egress-config';
import { egressFetch, EgressRedirectError } from '@framesmith/core/net/egress-fetch';
import { EgressRefusedError } from '@framesmith/core/net/egress-policy';
import { describeNetworkError } from '@framesmith/core/net/network-error';
import { signWebhook, WEBHOOK_HEADERS } from './webhook-signature.js';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { FAILURE_TYPE } from '@framesmith/core/temporal/activity-policy';

/** What the webhook workflow sends, read once so every attempt posts the same bytes. */
export interface PreparedWebhook {
  event: 'asset.completed' | 'asset.failed';
  /** The asset JSON as GET /api/asset/{id} returns it. */
  body: string;
  /** The retry policy from the orchestrator's configuration (WEBHOOK_RETRY_*). */
  retryInitialMs: number;
  retryMaxIntervalMs: number;
  retryForMs: number;
  attemptTimeoutMs: number;
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;

export function createWebhookActivities(deps: { repo: Repo; config: Config }) {
  const { webhooks } = deps.config;
  return {
    /** Null when the asset is gone or not finished: nothing to tell. */
    async prepareWebhook({ assetId }: { assetId: string }): Promise<PreparedWebhook | null> {
      const a = await deps.repo.getAsset(assetId);
      if (!a || a.state === AssetState.GENERATING) return null;
      return {
        event: a.state === AssetState.COMPLETED ? 'asset.completed' : 'asset.failed',
        body: JSON.stringify(presentAsset(a, deps.config)),
        retryInitialMs: webhooks.retryInitialMs,
        retryMaxIntervalMs: webhooks.retryMaxIntervalMs,
        retryForMs: webhooks.retryForMs,
        attemptTimeoutMs: webhooks.attemptTimeoutMs,
      };
    },

    /** One signed POST; throws (and is retried) unless the receiver answers 2xx. */
    async deliverWebhook(a: { url: string; deliveryId: string; event: PreparedWebhook['event']; body: string }): Promise<{ status: number; attempt: number }> {
      const { url, deliveryId, event, body } = a;
      const { attempt } = Context.current().info;
      // Retryable: an operator who forgot the secret on this process can add it and restart
      // within the retry window, and nothing is lost.
      if (!webhooks.signingSecret) throw ApplicationFailure.retryable('WEBHOOK_SIGNING_SECRET is not set on the orchestrator', 'WebhookNotConfigured');
      // Signed per attempt: the timestamp is the moment of sending, so a late retry still
      // lands inside the receiver's 5-minute window.
      const signature = signWebhook(webhooks.signingSecret, Math.floor(Date.now() / 1000), body);
      let res: Response;
      try {
        res = await egressFetch(url, {
          policy: egressPolicyFromConfig(deps.config),
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Framesmith-Webhooks/1',
            [WEBHOOK_HEADERS.signature]: signature,
            [WEBHOOK_HEADERS.delivery]: deliveryId,
            [WEBHOOK_HEADERS.event]: event,
          },
          body,
          signal: AbortSignal.any([Context.current().cancellationSignal, AbortSignal.timeout(webhooks.attemptTimeoutMs)]),
        });
      } catch (err) {
        // The URL passed the policy at request time; refused now means its name resolves
        // somewhere else (DNS rebinding) or the allow-list shrank. Retrying would not help.
        if (err instanceof EgressRefusedError) throw ApplicationFailure.nonRetryable(`callbackUrl is not allowed: ${err.message}`, FAILURE_TYPE.webhookRefused);
        // A redirect is not followed (it could point anywhere) but is retried: the receiver may fix it.
        const why = err instanceof EgressRedirectError ? err.message : describeNetworkError(err);
        throw ApplicationFailure.retryable(`could not deliver to the receiver (${why})`, 'WebhookUnreachable');
      }
      await res.body?.cancel().catch(() => undefined); // the answer's body is not read
      if (res.status < 200 || res.status > 299) throw ApplicationFailure.retryable(`the receiver answered HTTP ${res.status}`, 'WebhookRejected');
      return { status: res.status, attempt };
    },
  };
}
