import type { Config } from '@framesmith/core/config';
import type { MediaJob, MediaResult, VideoJob } from '@framesmith/core/domain/job';
import type { Storage } from '@framesmith/core/storage';
import { runMediaActivity } from '@framesmith/core/temporal/activity-kit';
import { makeVideo } from './make-video.js';

export function createGpuActivities(deps: { config: Config; storage: Storage }) {
  return {
    makeVideo: (job: MediaJob): Promise<MediaResult> => runMediaActivity('video', (ctx) => makeVideo(deps, job as VideoJob, ctx)),
  };
}
