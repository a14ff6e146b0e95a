import type { Config } from '@framesmith/core/config';
import type { MediaResult, VideoJob } from '@framesmith/core/domain/job';
import type { VideoStrategy } from './clip/video-strategy.js';
import type { Storage } from '@framesmith/core/storage';
import { runMediaActivity } from '@framesmith/worker-kit/activity-kit';
import { makeVideo } from './make-video.js';

export interface GpuActivityDeps {
  config: Config;
  storage: Storage;
  /** Pins each job to a device and its proven strategy (gpu-scheduler); without it, the CPU. */
  scheduler?: { acquire(): { strategy: VideoStrategy; release(): void } };
}

/** What the workflows call on the GPU queue: their interface is this type (services/orchestrator/src/activity-types.ts). */
export type GpuActivities = ReturnType<typeof createGpuActivities>;

export function createGpuActivities(deps: GpuActivityDeps) {
  return {
    makeVideo: (job: VideoJob): Promise<MediaResult> =>
      runMediaActivity('video', async (ctx) => {
        const lease = deps.scheduler?.acquire() ?? null;
        try {
          return await makeVideo(
            {
              config: deps.config,
              storage: deps.storage,
              chooseStrategy: lease ? () => lease.strategy : undefined,
              smartCutMinCopiedPixels: deps.config.limits.smartCutMinCopiedPixels,
            },
            job,
            ctx,
          );
        } finally {
          lease?.release();
        }
      }),
  };
}
