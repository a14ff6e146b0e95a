// WatchAsset: follows one asset until COMPLETED or FAILED. State comes from PostgreSQL, re-read
// only when the gateway's one LISTEN connection says the asset changed (asset-changes.ts), not
// polled. Progress comes from the running activity's heartbeat in Temporal, which no NOTIFY
// carries: while the asset is GENERATING it is read every period, once per job however many
// streams watch it (job-views.ts).
import type { Config } from '@framesmith/core/config';
import type { Repo, StoredAsset } from '@framesmith/core/db/repo';
import { AssetState, type AssetObject } from '@framesmith/core/domain/asset';
import { presentAsset } from '@framesmith/core/domain/asset-view';
import { type AssetChanges, SharedReads } from './asset-changes.js';
import { assetNotFound, withDetail } from './asset-lifecycle.js';
import type { JobViews } from './job-views.js';

export interface AssetUpdate {
  asset: AssetObject;
  progress: number | null;
}

export class AssetWatcher {
  /** Rows read for WatchAsset, keyed by asset and notification generation (asset-changes.ts). */
  private readonly rows: SharedReads<StoredAsset | null>;

  constructor(
    private readonly d: { config: Config; repo: Repo; changes: AssetChanges },
    private readonly jobViews: JobViews,
    private readonly periodMs: number,
  ) {
    this.rows = new SharedReads(periodMs);
  }

  /** Yields on every change of state, progress or detail; ends once the asset is no longer GENERATING. */
  async *watchAsset(id: string, signal: AbortSignal, progressMs = this.periodMs): AsyncGenerator<AssetUpdate> {
    // Subscribed before the first read, so a change committed in between still wakes the stream.
    const watch = this.d.changes.watch(id);
    try {
      let last = '';
      let progress: number | null = null;
      let detail: string | null = null;
      let reread = true;
      let a: StoredAsset | null = null;
      while (!signal.aborted) {
        if (reread || !a) {
          a = await this.rows.get(`${id}:${this.d.changes.generation()}`, () => this.d.repo.getAsset(id));
          if (!a) throw assetNotFound(id);
        }
        if (a.state === AssetState.COMPLETED) progress = 1;
        else if (a.state === AssetState.GENERATING && a.jobId) {
          const view = await this.jobViews.view(a, a.jobId);
          progress = view.progress ?? progress;
          detail = view.detail;
        }
        if (a.state !== AssetState.GENERATING) detail = null;
        const fingerprint = `${a.state}:${progress}:${detail}:${a.dateModified.getTime()}`;
        if (fingerprint !== last) {
          last = fingerprint;
          yield { asset: withDetail(presentAsset(a, this.d.config), detail), progress };
        }
        if (a.state !== AssetState.GENERATING) return;
        // Woken by a change: re-read the row. Timed out: only progress may have moved, unless
        // the subscription is down, when this stream falls back to reading the row each period.
        reread = (await watch.next(progressMs, signal)) || !this.d.changes.connected();
      }
    } finally {
      watch.close();
    }
  }
}
