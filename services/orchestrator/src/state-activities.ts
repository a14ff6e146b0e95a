// Activities that write asset state. Idempotent: a retried call never double-writes.
import type { Repo } from '@framesmith/core/db/repo';
import type { Storage } from '@framesmith/core/storage';
import type { StateActivities } from './activity-types.js';
import { syncEvent } from './sync-event.js';

export function createStateActivities(deps: { repo: Repo; storage: Storage }): StateActivities {
  return {
    async completeAsset({ assetId, path }) {
      const done = await deps.repo.completeAsset(assetId);
      if (done) return 'completed';
      const existing = await deps.repo.getAsset(assetId);
      if (existing) return 'completed'; // already COMPLETED by an earlier attempt
      // Deleted while the file was being made: the file must not outlive its asset.
      await deps.storage.remove(path);
      return 'gone';
    },
    async discardOutput({ assetId, path }) {
      // Cancellation comes from deleting the asset (or its event); a row that still exists
      // owns its file.
      if (await deps.repo.getAsset(assetId)) return 'kept';
      await deps.storage.remove(path);
      return 'removed';
    },
    async failAsset({ assetId, reason }) {
      await deps.repo.failAsset(assetId, reason);
    },
    async syncEvent({ eventId }) {
      return syncEvent(deps, eventId);
    },
  };
}
