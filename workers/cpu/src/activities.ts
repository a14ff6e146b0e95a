// CPU worker activities, built by a factory that takes their dependencies.
import type { Config } from '@framesmith/core/config';
import type { GifJob, ImageJob, MediaResult } from '@framesmith/core/domain/job';
import type { Storage } from '@framesmith/core/storage';
import { runMediaActivity } from '@framesmith/worker-kit/activity-kit';
import { makeImage } from './make-image.js';
import { makeGif } from './make-gif.js';

/** What the workflows call on the CPU queue: their interface is this type (services/orchestrator/src/activity-types.ts). */
export type CpuActivities = ReturnType<typeof createCpuActivities>;

export function createCpuActivities(deps: { config: Config; storage: Storage }) {
  return {
    makeImage: (job: ImageJob): Promise<MediaResult> => runMediaActivity('image', (ctx) => makeImage(deps, job, ctx)),
    makeGif: (job: GifJob): Promise<MediaResult> => runMediaActivity('gif', (ctx) => makeGif({ ...deps, gifskiPath: deps.config.gifskiPath ?? undefined }, job, ctx)),
  };
}
