import type { Config } from '@framesmith/core/config';
import type { GifJob, MediaResult } from '@framesmith/core/domain/job';
import type { Storage } from '@framesmith/core/storage';
import { BadInputError, type JobContext } from '@framesmith/core/temporal/activity-kit';

export async function makeGif(_deps: { config: Config; storage: Storage }, _job: GifJob, _ctx: JobContext): Promise<MediaResult> {
  throw new BadInputError('GIF generation is not available in this build yet');
}
