// Activities that write asset state. Idempotent: a retried call never double-writes.
import type { Repo } from '@framesmith/core/db/repo';
import type { Storage } from '@framesmith/core/storage';
import type { SyncResult } from '@framesmith/core/temporal/activity-policy';
import { syncEvent } from './sync-event.js';

export type StateActivities = ReturnType<typeof createStateActivities>;

export function createStateActivities(deps: { repo: Repo; storage: Storage }) {
  return {
    async completeAsset({ assetId, path }: { assetId: string; path: string }): Promise<'completed' | 'gone'> {
      const done = await deps.repo.completeAsset(assetId);
      if (done) return 'completed';
      const existing = await deps.repo.getAsset(assetId);
      if (existing) return 'completed'; // already COMPLETED by an earlier attempt
      // Deleted while the file was being made: the file must not outlive its asset.
      await deps.storage.remove(path);
      return 'gone';
    },
    /** After a cancelled job: removes an output the media activity may have stored anyway, unless its asset still exists. */
    async discardOutput({ assetId, path }: { assetId: string; path: string }): Promise<'removed' | 'kept'> {
      // Cancellation comes from deleting the asset (or its event); a row that still exists
      // owns its file.
      if (await deps.repo.getAsset(assetId)) return 'kept';
      await deps.storage.remove(path);
      return 'removed';
    },
    async failAsset({ assetId, reason }: { assetId: string; reason: string }): Promise<void> {
      await deps.repo.failAsset(assetId, reason);
    },
    async syncEvent({ eventId }: { eventId: string }): Promise<SyncResult> {
      return syncEvent(deps, eventId);
    },
  };
}
