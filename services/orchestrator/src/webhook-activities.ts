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
import type { WebhookActivities } from './activity-types.js';

/** Error types the workflow's retry policy names; refused URLs are not retried. */
export const WEBHOOK_REFUSED = 'WebhookRefused';

export function createWebhookActivities(deps: { repo: Repo; config: Config }): WebhookActivities {
  const { webhooks } = deps.config;
  return {
    async prepareWebhook({ assetId }) {
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

    async deliverWebhook({ url, deliveryId, event, body }) {
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
        if (err instanceof EgressRefusedError) throw ApplicationFailure.nonRetryable(`callbackUrl is not allowed: ${err.message}`, WEBHOOK_REFUSED);
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
