// What the asset service needs from the orchestration engine (Temporal in production,
// temporal-jobs.ts): start and cancel an asset's job, run a sync, and read a running job.
import type { StoredAsset } from '@framesmith/core/db/repo';
import type { AssetWorkflowInput } from '@framesmith/core/domain/job';
import type { LiveWaitStatus } from '@framesmith/core/media/live-window';
import type { SyncResult } from '@framesmith/core/temporal/activity-policy';

export type { SyncResult };

/** A running job as the engine describes it, read in one call. */
export interface JobView {
  /** Progress 0..1 from its activity's last heartbeat; null when unknown. */
  progress: number | null;
  /** Its live-edge wait (the workflow's memo); null when it has none. */
  liveWait: LiveWaitStatus | null;
}

export interface JobControl {
  startAsset(input: AssetWorkflowInput, asset: StoredAsset): Promise<void>;
  /** Cancels the asset's workflow; false when none was running. */
  cancelAsset(jobId: string): Promise<boolean>;
  runSync(eventId: string): Promise<SyncResult>;
  describe(jobId: string): Promise<JobView>;
}
