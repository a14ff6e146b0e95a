// Workflow types, search attributes, signals and queries: defined once, imported everywhere.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { JobKind } from '../domain/asset.js';

/** Started by name: the webhook workflow by the orphan reconciler (the asset workflow starts it by reference, as its child). */
export const WORKFLOW = {
  asset: 'assetWorkflow',
  sync: 'syncWorkflow',
  webhook: 'webhookWorkflow',
} as const;

/** Registered by the dev stack (`--search-attribute`) and by deploy/ for production. */
export const SEARCH_ATTRIBUTES = {
  assetId: { name: 'FramesmithAssetId', type: 'Keyword' },
  eventId: { name: 'FramesmithEventId', type: 'Keyword' },
  assetType: { name: 'FramesmithAssetType', type: 'Keyword' },
  priority: { name: 'FramesmithPriority', type: 'Int' },
} as const;

/** Workflow IDs say what they are: `image-<asset id>` is the asset's jobId. */
export function assetWorkflowId(kind: JobKind, assetId: string): string {
  return `${kind}-${assetId}`;
}

export function syncWorkflowId(eventId: string): string {
  return `sync-${eventId}`;
}

/**
 * How a completion webhook's workflow is named and found, by both that start one (the asset
 * workflow, as its child; the orphan reconciler, for an outcome it applied). An asset reaches
 * COMPLETED or FAILED once, so it has at most one: `webhook-<asset id>`.
 */
export function webhookWorkflowStart(assetId: string, eventId: string) {
  return {
    workflowId: `webhook-${assetId}`,
    typedSearchAttributes: [
      { key: SA.assetId, value: assetId },
      { key: SA.eventId, value: eventId },
    ],
  };
}

/**
 * Temporal priority keys run 1 (first) .. N; the contract's 1 (highest) .. 10 (lowest)
 * maps one to one when the server runs with `matching.priorityLevels=10`.
 */
export const PRIORITY_LEVELS = 10;
export const DEFAULT_PRIORITY = 5;

export const SA = {
  assetId: defineSearchAttributeKey(SEARCH_ATTRIBUTES.assetId.name, SearchAttributeType.KEYWORD),
  eventId: defineSearchAttributeKey(SEARCH_ATTRIBUTES.eventId.name, SearchAttributeType.KEYWORD),
  assetType: defineSearchAttributeKey(SEARCH_ATTRIBUTES.assetType.name, SearchAttributeType.KEYWORD),
  priority: defineSearchAttributeKey(SEARCH_ATTRIBUTES.priority.name, SearchAttributeType.INT),
};
