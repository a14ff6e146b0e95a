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
