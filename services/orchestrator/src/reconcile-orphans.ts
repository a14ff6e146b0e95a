// The crash window between "row inserted" and "workflow started": a gateway that dies there
// leaves a GENERATING row without a workflow. The row holds the full workflow input, and
// the workflow ID is derived from the asset, so starting it again is safe: a workflow that
// exists (running or finished) is never started twice.
import type { Config } from '@framesmith/core/config';
import type { AssetWorkflowInput } from '@framesmith/core/domain/job';
import type { Repo } from '@framesmith/core/db/repo';
import { log } from '@framesmith/core/ops/lifecycle';
import { startAssetWorkflow } from '@framesmith/core/temporal/start-asset-workflow';
import type { Client } from '@temporalio/client';

export async function reconcileOrphans(repo: Repo, client: Client, config: Config): Promise<number> {
  let started = 0;
  for (const asset of await repo.generatingOlderThan(config.orphanAfterMs)) {
    if (!asset.jobId) continue;
    const input = (await repo.getAssetRequest(asset.id)) as AssetWorkflowInput | null;
    if (!input) {
      await repo.failAsset(asset.id, 'the request was lost before its job started');
      continue;
    }
    if (await startAssetWorkflow(client, config, input, asset.jobId)) {
      started++;
      log('orchestrator', 'started orphaned asset workflow', { assetId: asset.id, jobId: asset.jobId });
    }
  }
  return started;
}
