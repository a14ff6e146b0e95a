// The activity interfaces the workflows call, imported by workflows as types only.
import type { AssetWorkflowInput, MediaJob, MediaResult } from '@framesmith/core/domain/job';
import type { SyncResult } from './sync-event.js';

export interface MediaActivities {
  makeImage(job: MediaJob): Promise<MediaResult>;
  makeGif(job: MediaJob): Promise<MediaResult>;
  makeVideo(job: MediaJob): Promise<MediaResult>;
}

export interface StateActivities {
  completeAsset(a: { assetId: string; path: string }): Promise<'completed' | 'gone'>;
  failAsset(a: { assetId: string; reason: string }): Promise<void>;
  /** After a cancelled job: removes an output the media activity may have stored anyway, unless its asset still exists. */
  discardOutput(a: { assetId: string; path: string }): Promise<'removed' | 'kept'>;
  syncEvent(a: { eventId: string }): Promise<SyncResult>;
}

export type { AssetWorkflowInput };

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

export interface WebhookActivities {
  /** Null when the asset is gone or not finished: nothing to tell. */
  prepareWebhook(a: { assetId: string }): Promise<PreparedWebhook | null>;
  /** One signed POST; throws (and is retried) unless the receiver answers 2xx. */
  deliverWebhook(a: { url: string; deliveryId: string; event: PreparedWebhook['event']; body: string }): Promise<{ status: number; attempt: number }>;
}
