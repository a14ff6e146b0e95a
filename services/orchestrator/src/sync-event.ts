// Sync: make the event's assets match its VOD folder (docs/api.md): on S3, the key prefix of
// the VOD file, listed page by page.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AssetState, AssetType } from '@framesmith/core/domain/asset';
import { NO_FILTER, type Repo } from '@framesmith/core/db/repo';
import type { Storage } from '@framesmith/core/storage';
import type { SyncResult } from '@framesmith/core/temporal/activity-policy';
import { ApplicationFailure } from '@temporalio/activity';

export async function syncEvent(deps: { repo: Repo; storage: Storage }, eventId: string): Promise<SyncResult> {
  const { repo, storage } = deps;
  const event = await repo.getEvent(eventId);
  if (!event) throw ApplicationFailure.nonRetryable(`event ${eventId} does not exist`, 'EventNotFound');
  if (!event.vodFile) throw ApplicationFailure.nonRetryable(`event ${eventId} has no VOD file`, 'EventHasNoVodFile');
  const folder = path.posix.dirname(event.vodFile);
  const pathEvaluated = folder === '.' ? '' : folder;

  const vod = await storage.stat(event.vodFile);
  const fingerprint = { path: event.vodFile, size: vod?.size ?? null, mtimeMs: vod?.mtimeMs ?? null, etag: vod?.etag ?? null };
  const last = event.lastSync;
  // The first sync has nothing recorded to differ from. On S3 the ETag also tells a rewrite
  // of the same size within LastModified's one-second resolution.
  const hasVodFileChanged =
    last !== null &&
    (last.path !== fingerprint.path || last.size !== fingerprint.size || last.mtimeMs !== fingerprint.mtimeMs || (last.etag ?? null) !== fingerprint.etag);

  const assets = await repo.findAssets({ ...NO_FILTER, eventId });
  let deletedAssetsCount = 0;
  for (const a of assets) {
    // GENERATING and FAILED assets have no file by design (the FAILED one keeps its reason
    // for clients); every COMPLETED asset lives while its file exists, in the VOD folder or not.
    if (a.state !== AssetState.COMPLETED) continue;
    if (!(await storage.stat(a.path))) {
      await repo.deleteAsset(a.id);
      deletedAssetsCount++;
    }
  }
  const known = new Set(assets.map((a) => a.path));
  let createdAssetsCount = 0;
  for (const file of await storage.list(pathEvaluated)) {
    if (known.has(file.path)) continue;
    const base = path.posix.basename(file.path);
    const ext = base.includes('.') ? base.slice(base.lastIndexOf('.') + 1).toLowerCase() : '';
    try {
      await repo.insertAsset(repo.db, {
        id: randomUUID(),
        eventId,
        name: base,
        path: file.path,
        extension: ext,
        state: AssetState.COMPLETED,
        type: AssetType.SYSTEM,
        jobId: null,
        contentId: event.contentId,
        priority: 5,
      });
      createdAssetsCount++;
    } catch (err) {
      // Another event's asset already owns this file: leave it to that event.
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
  await repo.setEventLastSync(eventId, fingerprint);
  return { hasVodFileChanged, createdAssetsCount, deletedAssetsCount, pathEvaluated };
}
