// The one implementation of the Asset contract, put together from its parts: creation
// (asset-creation.ts), reads and deletes (asset-lifecycle.ts), WatchAsset (watch-asset.ts),
// events and vuflows (event-service.ts), the Temporal-facing reads (job-views.ts). The REST
// routes and the Connect/gRPC handlers are thin adapters over these methods; no business rule
// lives anywhere else.
import type { Config } from '@framesmith/core/config';
import type { Repo } from '@framesmith/core/db/repo';
import type { Storage } from '@framesmith/core/storage';
import { createIdempotencyStore } from '../db/idempotency.js';
import type { AssetChanges } from './asset-changes.js';
import { AssetCreation } from './asset-creation.js';
import { AssetLifecycle, type AssetReadCache } from './asset-lifecycle.js';
import { EventService } from './event-service.js';
import type { JobControl } from './job-control.js';
import { JobViews } from './job-views.js';
import { ReadCache, type ReadCacheStats } from './read-cache.js';
import type { SourceInspector } from './source-inspector.js';
import { AssetWatcher } from './watch-asset.js';

export interface AssetServiceDeps {
  config: Config;
  repo: Repo;
  storage: Storage;
  jobs: JobControl;
  inspector: SourceInspector;
  /** The gateway's one subscription to asset changes (WatchAsset, the read cache). */
  changes: AssetChanges;
}

export class AssetService {
  readonly createImage: AssetCreation['createImage'];
  readonly createGif: AssetCreation['createGif'];
  readonly createVideo: AssetCreation['createVideo'];
  readonly getAsset: AssetLifecycle['getAsset'];
  readonly listAssets: AssetLifecycle['listAssets'];
  readonly renameAsset: AssetLifecycle['renameAsset'];
  readonly deleteAsset: AssetLifecycle['deleteAsset'];
  readonly deleteAssets: AssetLifecycle['deleteAssets'];
  readonly syncAssets: AssetLifecycle['syncAssets'];
  readonly watchAsset: AssetWatcher['watchAsset'];
  readonly createEvent: EventService['createEvent'];
  readonly getEvent: EventService['getEvent'];
  readonly listEvents: EventService['listEvents'];
  readonly updateEvent: EventService['updateEvent'];
  readonly deleteEvent: EventService['deleteEvent'];
  readonly createVuflow: EventService['createVuflow'];
  readonly listVuflows: EventService['listVuflows'];

  private readonly cache: AssetReadCache;

  constructor(private readonly d: AssetServiceDeps) {
    this.cache = new ReadCache(() => d.changes.generation());
    const { watchProgressMs, idempotencyTakeoverMs } = d.config.timeouts;
    d.changes.onChange((id) => (id === null ? this.cache.clear() : this.cache.assetChanged(id)));
    const jobViews = new JobViews(d, watchProgressMs);
    const lifecycle = new AssetLifecycle(d, jobViews, this.cache);
    const creation = new AssetCreation(d, createIdempotencyStore(d.repo.db, idempotencyTakeoverMs), (id) => lifecycle.getAsset(id));
    const watcher = new AssetWatcher(d, jobViews, watchProgressMs);
    const events = new EventService(d, (a) => lifecycle.removeAsset(a));
    this.createImage = creation.createImage.bind(creation);
    this.createGif = creation.createGif.bind(creation);
    this.createVideo = creation.createVideo.bind(creation);
    this.getAsset = lifecycle.getAsset.bind(lifecycle);
    this.listAssets = lifecycle.listAssets.bind(lifecycle);
    this.renameAsset = lifecycle.renameAsset.bind(lifecycle);
    this.deleteAsset = lifecycle.deleteAsset.bind(lifecycle);
    this.deleteAssets = lifecycle.deleteAssets.bind(lifecycle);
    this.syncAssets = lifecycle.syncAssets.bind(lifecycle);
    this.watchAsset = watcher.watchAsset.bind(watcher);
    this.createEvent = events.createEvent.bind(events);
    this.getEvent = events.getEvent.bind(events);
    this.listEvents = events.listEvents.bind(events);
    this.updateEvent = events.updateEvent.bind(events);
    this.deleteEvent = events.deleteEvent.bind(events);
    this.createVuflow = events.createVuflow.bind(events);
    this.listVuflows = events.listVuflows.bind(events);
  }

  /** Hits, misses and size of the read cache (/metrics). */
  readCacheStats(): ReadCacheStats {
    return this.cache.stats();
  }

  /** The configured limits, which the adapters' request schemas are built from. */
  get limits(): Config['limits'] {
    return this.d.config.limits;
  }
}
