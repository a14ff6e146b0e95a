// Assets after creation: read (with the live-wait detail of a waiting job) and list, through
// the read cache (read-cache.ts), rename, delete one or many (cancelling a running job,
// removing the file), and sync an event's folder.
import type { Config } from '@framesmith/core/config';
import { type AssetFilter, type Repo, type StoredAsset } from '@framesmith/core/db/repo';
import { AssetState, AssetType, type AssetObject } from '@framesmith/core/domain/asset';
import { presentAsset, presentedUntil } from '@framesmith/core/domain/asset-view';
import { ApiError, validation } from '@framesmith/core/errors';
import type { Storage } from '@framesmith/core/storage';
import type { ListAssetsRequest, RenameRequest } from '../api-schema/asset-requests.js';
import { requireEvent } from './event-service.js';
import type { JobControl, SyncResult } from './job-control.js';
import type { JobViews } from './job-views.js';
import type { AssetChanges } from './asset-changes.js';
import type { ReadCache } from './read-cache.js';

/** What the read cache keeps: frozen, so the one object handed to every reader cannot be changed by one of them. */
export type AssetReadCache = ReadCache<Readonly<AssetObject>, readonly Readonly<AssetObject>[]>;

export const assetNotFound = (id: string) => new ApiError('AssetNotFound', `Unable to find asset ${id}`, { id });

/** The contract's object with what a waiting job waits for, when it waits. */
export function withDetail(obj: AssetObject, detail: string | null): AssetObject {
  if (detail) obj.detail = detail;
  return obj;
}

export class AssetLifecycle {
  constructor(
    private readonly d: { config: Config; repo: Repo; storage: Storage; jobs: JobControl; changes: AssetChanges },
    private readonly jobViews: JobViews,
    private readonly cache: AssetReadCache,
  ) {}

  /** `noCache` reads the database (the contract's bypass); otherwise the read cache answers when it can. */
  async getAsset(id: string, opts: { noCache?: boolean } = {}): Promise<Readonly<AssetObject>> {
    const cached = !opts.noCache && (await this.d.changes.fence());
    if (cached) {
      const hit = this.cache.getAsset(id, Date.now());
      if (hit) return hit;
    }
    const generation = this.cache.generation();
    const a = await this.d.repo.getAsset(id);
    // Not found is not kept: the asset may be created the next moment.
    if (!a) throw assetNotFound(id);
    const now = Date.now();
    const obj = presentAsset(a, this.d.config, now);
    const detail = await this.jobViews.liveDetail(a);
    if (detail !== undefined) return withDetail(obj, detail);
    if (cached) this.cache.setAsset(id, Object.freeze(obj), generation, presentedUntil(this.d.config, now));
    return obj;
  }

  async listAssets({ filter, pageIndex, noCache }: ListAssetsRequest): Promise<readonly Readonly<AssetObject>[]> {
    const cached = !noCache && (await this.d.changes.fence());
    // The filter as parsed (fixed key order), so equal queries share one entry.
    const key = JSON.stringify([filter, pageIndex]);
    if (cached) {
      const hit = this.cache.getList(key, Date.now());
      if (hit) return hit;
    }
    const generation = this.cache.generation();
    const rows = await this.d.repo.listAssets(filter, pageIndex);
    const now = Date.now();
    const page = Object.freeze(rows.map((a) => Object.freeze(presentAsset(a, this.d.config, now))));
    if (cached) this.cache.setList(key, page, generation, presentedUntil(this.d.config, now));
    return page;
  }

  async renameAsset({ id, name }: RenameRequest): Promise<AssetObject> {
    const a = await this.d.repo.renameAsset(id, name);
    if (!a) throw assetNotFound(id);
    return presentAsset(a, this.d.config);
  }

  async deleteAsset(id: string): Promise<{ id: string; cancelledJob: boolean }> {
    const existing = await this.d.repo.getAsset(id);
    if (!existing) throw assetNotFound(id);
    if (existing.type === AssetType.SYSTEM) {
      throw new ApiError('SystemAssetProtected', `Unable to delete asset ${id} because SYSTEM assets are not deletable`, { id });
    }
    return this.removeAsset(existing);
  }

  /** Cancels the asset's running job, then removes its row and its file. */
  async removeAsset(a: StoredAsset): Promise<{ id: string; cancelledJob: boolean }> {
    let cancelledJob = false;
    if (a.state === AssetState.GENERATING && a.jobId) cancelledJob = await this.d.jobs.cancelAsset(a.jobId);
    await this.d.repo.deleteAsset(a.id);
    await this.d.storage.remove(a.path);
    return { id: a.id, cancelledJob };
  }

  async deleteAssets(filter: AssetFilter): Promise<{ deletedCount: number; deletedIds: string[]; skippedSystemCount: number }> {
    const given = Object.entries(filter).filter(([k, v]) => k !== 'extensions' && v !== null);
    if (given.length === 0) throw validation('bulk delete needs at least one filter (eventId, contentId, jobId, name, states or types)');
    const matches = await this.d.repo.findAssets({ ...filter, extensions: null });
    const deletedIds: string[] = [];
    let skippedSystemCount = 0;
    for (const a of matches) {
      if (a.type === AssetType.SYSTEM) {
        skippedSystemCount++;
        continue;
      }
      await this.removeAsset(a);
      deletedIds.push(a.id);
    }
    return { deletedCount: deletedIds.length, deletedIds, skippedSystemCount };
  }

  async syncAssets(id: string): Promise<SyncResult> {
    const event = await requireEvent(this.d.repo, id);
    if (!event.vodFile) throw new ApiError('EventHasNoVodFile', `Unable to sync event ${id} because it has no VOD file`, { eventId: id });
    return this.d.jobs.runSync(id);
  }
}
