// The Temporal floor's workflow (temporal-floor.ts): the asset workflow's shape with nothing in
// it. One activity on another task queue (the media job), then one local activity (the state
// write), with the SDK's defaults: no interceptors, no search attributes, no work.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

export interface FloorActivities {
  media(id: string): Promise<string>;
}
export interface FloorLocalActivities {
  state(id: string): Promise<void>;
}

export async function floorWorkflow(input: { id: string; mediaTaskQueue: string }): Promise<void> {
  const media = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s', taskQueue: input.mediaTaskQueue });
  const state = proxyLocalActivities<FloorLocalActivities>({ startToCloseTimeout: '30s' });
  await state.state(await media.media(input.id));
}
