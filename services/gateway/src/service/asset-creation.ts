// Creating IMAGE, GIF and VIDEO assets: the request's times and limits checked against the
// source, a free file name claimed by the row's unique path, the job started (or nothing left
// behind), each at most once per Idempotency-Key.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Config } from '@framesmith/core/config';
import type { Repo, StoredAsset } from '@framesmith/core/db/repo';
import { AssetState, JOB_KIND_EXTENSION, JOB_KIND_TYPE, type AssetObject, type JobKind } from '@framesmith/core/domain/asset';
import { presentAsset } from '@framesmith/core/domain/asset-view';
import type { EventRecord } from '@framesmith/core/domain/event';
import type { AssetWorkflowInput, MediaJob, SourceRef } from '@framesmith/core/domain/job';
import { gifLimitProblem } from '@framesmith/core/domain/media-limits';
import { ApiError, validation } from '@framesmith/core/errors';
import type { LiveWait } from '@framesmith/core/media/live-window';
import type { Storage } from '@framesmith/core/storage';
import { assetWorkflowId } from '@framesmith/core/temporal/names';
import type { ClipTime } from '@framesmith/core/time';
import type { CreateRequest, GifRequest, ImageRequest, VideoRequest } from '../api-schema/asset-requests.js';
import type { IdempotencyStore } from '../db/idempotency.js';
import { baseFilename, MAX_CLASH_NUMBER, numberedFilename } from '../domain/filename.js';
import { callbackUrlFor } from './callback-url.js';
import { checkEgressUrl } from './egress-check.js';
import { requireEvent } from './event-service.js';
import { type IdempotencyKey, idempotentCreate, requestHash } from './idempotent-create.js';
import type { JobControl } from './job-control.js';
import { liveSeconds, liveWaitFor, recordingCovers } from './live-times.js';
import type { SourceInfo, SourceInspector } from './source-inspector.js';

const PG_UNIQUE_VIOLATION = '23505';

type JobBase = { assetId: string; eventId: string; source: SourceRef; outputPath: string };

export class AssetCreation {
  constructor(
    private readonly d: { config: Config; repo: Repo; storage: Storage; jobs: JobControl; inspector: SourceInspector },
    private readonly idempotency: IdempotencyStore,
    /** Reads an existing asset as GET does (an idempotent replay answers with it). */
    private readonly getAsset: (id: string) => Promise<AssetObject>,
  ) {}

  // Requests arrive parsed and normalised by the adapters (api-schema/), never as raw input.
  async createImage(req: ImageRequest, idem: IdempotencyKey | null = null): Promise<AssetObject> {
    return this.once('image', req, idem, async (id) => {
      const { event, source, info } = await this.resolveEvent(req.eventId, [req.time]);
      this.checkTimes(info, [['time', req.time]]);
      return this.create('image', req, event, source, (base) => ({ ...base, kind: 'image', time: req.time }), liveWaitFor('image', info, [req.time], this.d.config.live), id);
    });
  }

  async createGif(req: GifRequest, idem: IdempotencyKey | null = null): Promise<AssetObject> {
    return this.once('gif', req, idem, async (id) => {
      const { event, source, info } = await this.resolveEvent(req.eventId, [req.start, req.end]);
      const clip = this.checkClip(info, req);
      if (clip) this.checkGifLimits(info, req, clip);
      const { start, end, fps, width, height, playbackRepeats, reverse, playbackSpeed } = req;
      return this.create('gif', req, event, source, (base) => ({ ...base, kind: 'gif', start, end, fps, width, height, playbackRepeats, reverse, playbackSpeed }), liveWaitFor('gif', info, [start, end], this.d.config.live), id);
    });
  }

  async createVideo(req: VideoRequest, idem: IdempotencyKey | null = null): Promise<AssetObject> {
    return this.once('video', req, idem, async (id) => {
      const { event, source, info } = await this.resolveEvent(req.eventId, [req.start, req.end]);
      this.checkClip(info, req);
      if (req.filter !== null && info.tracks !== null) {
        const selected = info.selectTracks(req.filter);
        if (selected.length === 0) throw validation('clip.filter selects no track of the source', { field: 'clip.filter' });
        if (!selected.some((t) => t.type === 'video')) throw validation('clip.filter must keep at least one video track', { field: 'clip.filter' });
      }
      const { start, end, filter, mezzanine, frameAccurate, copyTs } = req;
      return this.create('video', req, event, source, (base) => ({ ...base, kind: 'video', start, end, filter, mezzanine, frameAccurate, copyTs }), liveWaitFor('video', info, [start, end], this.d.config.live), id);
    });
  }

  /**
   * Runs a create once per Idempotency-Key (idempotent-create.ts): `make` gets the asset id the
   * key's claim recorded. Only a takeover after a crash looks for a row first: if the crashed
   * request already wrote it, that asset is the answer (the orphan reconciler starts its
   * workflow if the crash came first); a fresh claim's id cannot have a row yet.
   */
  private once(kind: JobKind, req: CreateRequest, idem: IdempotencyKey | null, make: (id: string) => Promise<AssetObject>): Promise<AssetObject> {
    if (!idem) return make(randomUUID());
    return idempotentCreate(
      this.idempotency,
      idem,
      requestHash(kind, req),
      async (id, takeover) => {
        const written = takeover ? await this.d.repo.getAsset(id) : null;
        return written ? presentAsset(written, this.d.config) : make(id);
      },
      this.getAsset,
      this.d.config.timeouts.idempotencyWaitMs,
    );
  }

  private async resolveEvent(eventId: string, times: ClipTime[]) {
    const event = await requireEvent(this.d.repo, eventId);
    const source = sourceOf(event);
    const instants = times.some((t) => t.kind === 'instant');
    const info = await this.d.inspector.inspect(source, { instants });
    // A recording and a live sourceUrl: the live window serves the times the recording lacks.
    if (event.vodFile && event.sourceUrl && !recordingCovers(info, times)) {
      const live: SourceRef = { kind: 'url', url: event.sourceUrl };
      const liveInfo = await this.d.inspector.inspect(live, { instants });
      if (liveInfo.live) return { event, source: live, info: liveInfo };
    }
    return { event, source, info };
  }

  /** Checks the clip's times against the source; returns them in seconds when the source was read. */
  private checkClip(info: SourceInfo, req: GifRequest | VideoRequest): { start: number; end: number } | null {
    const [start, end] = this.checkTimes(info, [
      ['clip.start', req.start],
      ['clip.end', req.end],
    ]);
    return info.known ? { start: start!, end: end! } : null;
  }

  private checkTimes(info: SourceInfo, times: [string, ClipTime][]): number[] {
    return times.map(([field, t]) => {
      let seconds: number | null;
      if (t.kind === 'instant') {
        if (!info.hasTimecode) throw validation(`${field} is an ISO8601 instant but the source carries no timecode; use HH:mm:ss.fff`, { field });
        seconds = info.live ? liveSeconds(info.live, field, t.epochMs, this.d.config.live) : info.instantToOffset(t.epochMs);
        if (seconds === null) throw validation(`${field} lies outside the source's time range`, { field });
      } else {
        seconds = t.seconds;
      }
      if (info.durationSeconds !== null && seconds > info.durationSeconds) {
        throw validation(`${field} is beyond the end of the media (${info.durationSeconds.toFixed(3)} s)`, { field, durationSeconds: info.durationSeconds });
      }
      return seconds;
    });
  }

  /** The GIF limits that depend on the source, checked here so the request fails, not the job. */
  private checkGifLimits(info: SourceInfo, req: GifRequest, clip: { start: number; end: number }) {
    const problem = gifLimitProblem(
      this.d.config.limits,
      { startSeconds: clip.start, endSeconds: clip.end, fps: req.fps, playbackSpeed: req.playbackSpeed, sourceFps: info.fps },
      info.width !== null && info.height !== null ? { width: info.width, height: info.height } : null,
      { width: req.width, height: req.height },
    );
    if (problem) throw validation(problem.message, { field: problem.field, ...problem.details });
  }

  private async create(kind: JobKind, req: CreateRequest, event: EventRecord, source: SourceRef, makeJob: (base: JobBase) => MediaJob, liveWait: LiveWait | null, id: string): Promise<AssetObject> {
    // Before anything is written: a refused callbackUrl is a 400 and creates nothing.
    const callbackUrl = await callbackUrlFor(this.d, req.callbackUrl, event);
    await checkEgressUrl(this.d.config, req.callbackUrl, 'callbackUrl');
    const jobId = assetWorkflowId(kind, id);
    const extension = JOB_KIND_EXTENSION[kind];
    const folder = eventFolder(event);
    const base = baseFilename(req.filename, req.name, extension);
    let asset: StoredAsset | null = null;
    let input: AssetWorkflowInput | null = null;
    // A name clash gets a numeric suffix, never an overwrite; the unique index settles races.
    for (let n = 0; n <= MAX_CLASH_NUMBER && asset === null; n++) {
      const outputPath = `${folder}/${numberedFilename(base, extension, n)}`;
      if (await this.d.storage.stat(outputPath)) continue;
      input = { job: makeJob({ assetId: id, eventId: event.id, source, outputPath }), priority: req.priority, mediaTaskQueue: kind === 'video' ? this.d.config.taskQueues.gpu : this.d.config.taskQueues.cpu };
      if (liveWait) input.liveWait = liveWait;
      if (callbackUrl) input.callbackUrl = callbackUrl;
      try {
        asset = await this.d.repo.insertAsset(this.d.repo.db, {
          id,
          eventId: event.id,
          name: req.name,
          path: outputPath,
          extension,
          state: AssetState.GENERATING,
          type: JOB_KIND_TYPE[kind],
          jobId,
          contentId: event.contentId,
          priority: req.priority,
          request: input,
        });
      } catch (err) {
        if ((err as { code?: string }).code !== PG_UNIQUE_VIOLATION) throw err;
      }
    }
    if (!asset || !input) throw new ApiError('Conflict', 'Unable to find a free file name for the asset');
    try {
      await this.d.jobs.startAsset(input, asset);
    } catch (err) {
      // Nothing may remain of a request that could not be started.
      await this.d.repo.deleteAsset(id);
      throw new ApiError('Unavailable', 'Unable to start the job because the orchestration service is unavailable', {}, { cause: err });
    }
    return presentAsset(asset, this.d.config);
  }
}

/** Assets go next to the event's VOD file; URL-only events get a folder of their own. */
function eventFolder(event: EventRecord): string {
  if (event.vodFile) {
    const dir = path.posix.dirname(event.vodFile);
    return dir === '.' ? `events/${event.id}` : dir;
  }
  return `events/${event.id}`;
}

function sourceOf(event: EventRecord): SourceRef {
  if (event.vodFile) return { kind: 'file', path: event.vodFile };
  if (event.sourceUrl) return { kind: 'url', url: event.sourceUrl };
  throw new ApiError('EventHasNoVodFile', 'Unable to create the asset because the event has no VOD file or source URL yet');
}
