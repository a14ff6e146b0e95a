// CPU worker activities, built by a factory that takes their dependencies.
import type { Config } from '@framesmith/core/config';
import type { GifJob, ImageJob, MediaJob, MediaResult } from '@framesmith/core/domain/job';
import type { Storage } from '@framesmith/core/storage';
import { runMediaActivity } from '@framesmith/worker-kit/activity-kit';
import { makeImage } from './make-image.js';
import { makeGif } from './make-gif.js';

export function createCpuActivities(deps: { config: Config; storage: Storage }) {
  return {
    makeImage: (job: MediaJob): Promise<MediaResult> => runMediaActivity('image', (ctx) => makeImage(deps, job as ImageJob, ctx)),
    makeGif: (job: MediaJob): Promise<MediaResult> => runMediaActivity('gif', (ctx) => makeGif({ ...deps, gifskiPath: deps.config.gifskiPath ?? undefined }, job as GifJob, ctx)),
  };
}
