// The live-wait activity: one short read of the source's playlist, so a waiting workflow holds
// no worker slot between checks (the waiting itself is a workflow timer, live-wait.ts).
import type { Config } from '@framesmith/core/config';
import type { SourceRef } from '@framesmith/core/domain/job';
import { readLiveWindow } from '@framesmith/core/media/live-playlist';
import type { LiveWindow } from '@framesmith/core/media/live-window';
import { egressPolicyFromConfig } from '@framesmith/core/net/egress-config';
import type { Storage } from '@framesmith/core/storage';

export type LiveActivities = ReturnType<typeof createLiveActivities>;

export function createLiveActivities(deps: { config: Config; storage: Storage }) {
  return {
    /** `readAtMs`: when the read began, on this worker's clock (the wait aims its next read with it). */
    async readLiveEdge({ source }: { source: SourceRef }): Promise<LiveWindow & { readAtMs: number }> {
      const readAtMs = Date.now();
      const window = await readLiveWindow(source, { storage: deps.storage, egress: egressPolicyFromConfig(deps.config), timeoutMs: deps.config.timeouts.livePlaylistReadMs });
      return { ...window, readAtMs };
    },
  };
}
