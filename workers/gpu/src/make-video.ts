import type { Config } from '@framesmith/core/config';
import type { MediaResult, VideoJob } from '@framesmith/core/domain/job';
import type { Storage } from '@framesmith/core/storage';
import { BadInputError, type JobContext } from '@framesmith/core/temporal/activity-kit';

export async function makeVideo(_deps: { config: Config; storage: Storage }, _job: VideoJob, _ctx: JobContext): Promise<MediaResult> {
  throw new BadInputError('video clips are not available in this build yet');
}
