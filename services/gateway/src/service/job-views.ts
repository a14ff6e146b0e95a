// The Temporal-facing reads of a GENERATING asset: its job's progress and what it waits for at
// a live edge. Both come from one description of the workflow (JobControl.describe).
import type { Repo, StoredAsset } from '@framesmith/core/db/repo';
import { AssetState } from '@framesmith/core/domain/asset';
import { describeLiveWait } from '@framesmith/core/media/live-window';
import { SharedReads } from './asset-changes.js';
import type { JobControl } from './job-control.js';

export interface JobDetail {
  progress: number | null;
  /** What the job waits for (describeLiveWait), shown as the asset's `detail`; null when nothing. */
  detail: string | null;
}

/** Bound on remembered asset ids; past it the memory starts over (each id then costs one query again). */
const MAX_REMEMBERED = 50_000;

export class JobViews {
  /** Read once per period per job, however many streams watch it. */
  private readonly shared: SharedReads<JobDetail>;
  /**
   * Whether an asset's stored request carries a live wait. A request never changes once
   * written, so each asset costs that query once, not on every read while it is GENERATING.
   */
  private readonly liveWaits = new Map<string, boolean>();

  constructor(
    private readonly d: { repo: Repo; jobs: JobControl },
    periodMs: number,
  ) {
    this.shared = new SharedReads(periodMs);
  }

  /**
   * The live-wait detail of a GENERATING asset whose request carries a live wait, so that its
   * view depends on its job and no read cache may keep it; undefined for every other asset (no
   * Temporal call). Null when the job waits for nothing now or cannot be read.
   */
  async liveDetail(a: StoredAsset): Promise<string | null | undefined> {
    if (a.state !== AssetState.GENERATING || a.jobId === null || !(await this.hasLiveWait(a.id))) return undefined;
    const view = await this.d.jobs.describe(a.jobId).catch(() => null);
    return view?.liveWait ? describeLiveWait(view.liveWait) : null;
  }

  /** Progress and detail of a GENERATING asset's job (WatchAsset), shared per job for a period. */
  view(a: StoredAsset, jobId: string): Promise<JobDetail> {
    return this.shared.get(jobId, async () => {
      const [view, live] = await Promise.all([this.d.jobs.describe(jobId).catch(() => null), this.hasLiveWait(a.id)]);
      return { progress: view?.progress ?? null, detail: live && view?.liveWait ? describeLiveWait(view.liveWait) : null };
    });
  }

  private async hasLiveWait(assetId: string): Promise<boolean> {
    const known = this.liveWaits.get(assetId);
    if (known !== undefined) return known;
    const request = (await this.d.repo.getAssetRequest(assetId)) as { liveWait?: unknown } | null;
    const has = Boolean(request?.liveWait);
    if (this.liveWaits.size >= MAX_REMEMBERED) this.liveWaits.clear();
    this.liveWaits.set(assetId, has);
    return has;
  }
}
