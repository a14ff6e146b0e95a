// The one implementation of the Asset contract. The REST routes and the Connect/gRPC
// handlers are thin adapters over these methods; no business rule lives anywhere else.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Config } from '@framesmith/core/config';
import { AssetState, AssetType, JOB_KIND_EXTENSION, JOB_KIND_TYPE, type AssetObject, type JobKind } from '@framesmith/core/domain/asset';
import { presentAsset } from '@framesmith/core/domain/asset-view';
import { type EventObject, toEventObject, toVuflowObject, type VuflowObject, type EventRecord } from '@framesmith/core/domain/event';
import { baseFilename, MAX_CLASH_NUMBER, numberedFilename } from '../domain/filename.js';
import type { AssetWorkflowInput, MediaJob, SourceRef } from '@framesmith/core/domain/job';
import { type AssetFilter, NO_FILTER, type Repo, type StoredAsset } from '@framesmith/core/db/repo';
import { ApiError, validation } from '@framesmith/core/errors';
import type { Storage } from '@framesmith/core/storage';
import { normaliseRelative } from '@framesmith/core/storage';
import { assetWorkflowId } from '@framesmith/core/temporal/names';
import type { ClipTime } from '@framesmith/core/time';
import type { CreateRequest, GifRequest, ImageRequest, ListAssetsRequest, RenameRequest, VideoRequest } from '../api-schema/asset-requests.js';
import type { CreateEventRequest, CreateVuflowRequest, UpdateEventRequest } from '../api-schema/event-requests.js';
import { createIdempotencyStore, type IdempotencyStore } from '../db/idempotency.js';
import { type IdempotencyKey, idempotentCreate, requestHash } from './idempotent-create.js';
import { egressPolicyFromConfig } from '@framesmith/core/net/egress-config';
import { EgressRefusedError, resolveChecked, timedLookup } from '@framesmith/core/net/egress-policy';
import { describeNetworkError, networkErrorCode } from '@framesmith/core/net/network-error';
import type { SourceInfo, SourceInspector } from './source-inspector.js';
import { type AssetChanges, SharedReads, WATCH_PROGRESS_MS } from './asset-changes.js';
import { callbackUrlFor, requireSigningSecret, vuflowCallbackUrl } from './callback-url.js';
import { liveSeconds, liveWaitFor, recordingCovers } from './live-times.js';
import { describeLiveWait, type LiveWait, type LiveWaitStatus } from '@framesmith/core/media/live-window';
import { gifLimitProblem } from '@framesmith/core/domain/media-limits';
import type { SyncResult } from '@framesmith/core/temporal/activity-policy';

/** What the service needs from the orchestration engine (Temporal in production). */
export interface JobControl {
  startAsset(input: AssetWorkflowInput, asset: StoredAsset): Promise<void>;
  /** Cancels the asset's workflow; false when none was running. */
  cancelAsset(jobId: string): Promise<boolean>;
  runSync(eventId: string): Promise<SyncResult>;
  /** Progress 0..1 of a running job, from its activity's last heartbeat; null when unknown. */
  progress(jobId: string): Promise<number | null>;
  /** The live-edge wait of a job that has one (the workflow's memo); null when it has none. */
  liveWait(jobId: string): Promise<LiveWaitStatus | null>;
}

export interface AssetServiceDeps {
  config: Config;
  repo: Repo;
  storage: Storage;
  jobs: JobControl;
  inspector: SourceInspector;
  /** The gateway's one subscription to asset changes (WatchAsset). */
  changes: AssetChanges;
}

const PG_UNIQUE_VIOLATION = '23505';

export class AssetService {
  /** A running job's progress and live-wait detail, read once per period however many streams watch it. */
  private readonly jobViews = new SharedReads<{ progress: number | null; detail: string | null }>(WATCH_PROGRESS_MS);
  /** Rows read for WatchAsset, keyed by asset and notification generation (asset-changes.ts). */
  private readonly watchedRows = new SharedReads<StoredAsset | null>(WATCH_PROGRESS_MS);

  /** Claims of Idempotency-Keys; a claim unfinished for 2 minutes (far past any create's deadlines) is taken over. */
  private readonly idempotency: IdempotencyStore;

  constructor(private readonly d: AssetServiceDeps) {
    this.idempotency = createIdempotencyStore(d.repo.db, 120_000);
  }

  /** The configured limits, which the adapters' request schemas are built from. */
  get limits(): Config['limits'] {
    return this.d.config.limits;
  }

  /** The contract's object, as completion webhooks send it too (domain/asset-view.ts). */
  private assetObject(a: StoredAsset): AssetObject {
    return presentAsset(a, this.d.config);
  }

  // --- creating assets ---------------------------------------------------------------

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
   * key's claim recorded. A takeover after a crash that already wrote the row returns that
   * asset; the orphan reconciler starts its workflow if the crash came first.
   */
  private once(kind: JobKind, req: CreateRequest, idem: IdempotencyKey | null, make: (id: string) => Promise<AssetObject>): Promise<AssetObject> {
    if (!idem) return make(randomUUID());
    return idempotentCreate(
      this.idempotency,
      idem,
      requestHash(kind, req),
      async (id) => {
        const written = await this.d.repo.getAsset(id);
        return written ? this.assetObject(written) : make(id);
      },
      (id) => this.getAsset(id),
    );
  }

  private async resolveEvent(eventId: string, times: ClipTime[]) {
    const event = await this.event(eventId);
    const source = this.source(event);
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

  private async create(
    kind: JobKind,
    req: CreateRequest,
    event: EventRecord,
    source: SourceRef,
    makeJob: (base: { assetId: string; eventId: string; source: SourceRef; outputPath: string }) => MediaJob,
    liveWait: LiveWait | null = null,
    id: string = randomUUID(),
  ): Promise<AssetObject> {
    // Before anything is written: a refused callbackUrl is a 400 and creates nothing.
    const callbackUrl = await callbackUrlFor(this.d, req.callbackUrl, event);
    if (req.callbackUrl !== null) await this.checkSourceUrl(req.callbackUrl, 'callbackUrl');
    const jobId = assetWorkflowId(kind, id);
    const extension = JOB_KIND_EXTENSION[kind];
    const folder = this.eventFolder(event);
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
    return this.assetObject(asset);
  }

  /** Assets go next to the event's VOD file; URL-only events get a folder of their own. */
  private eventFolder(event: EventRecord): string {
    if (event.vodFile) {
      const dir = path.posix.dirname(event.vodFile);
      return dir === '.' ? `events/${event.id}` : dir;
    }
    return `events/${event.id}`;
  }

  private source(event: EventRecord): SourceRef {
    if (event.vodFile) return { kind: 'file', path: event.vodFile };
    if (event.sourceUrl) return { kind: 'url', url: event.sourceUrl };
    throw new ApiError('EventHasNoVodFile', 'Unable to create the asset because the event has no VOD file or source URL yet');
  }

  private async event(id: string): Promise<EventRecord> {
    const event = await this.d.repo.getEvent(id);
    if (!event) throw new ApiError('EventNotFound', `Unable to find event ${id}`, { eventId: id });
    return event;
  }

  // --- reading, renaming, deleting ------------------------------------------------------

  async getAsset(id: string): Promise<AssetObject> {
    const a = await this.d.repo.getAsset(id);
    if (!a) throw new ApiError('AssetNotFound', `Unable to find asset ${id}`, { id });
    return this.withDetail(this.assetObject(a), await this.liveDetail(a));
  }

  private withDetail(obj: AssetObject, detail: string | null): AssetObject {
    if (detail) obj.detail = detail;
    return obj;
  }

  /**
   * What a GENERATING asset waits for, when its job waits for a live edge. Only assets whose
   * request carries a live wait cost a Temporal call; any failure to read it shows nothing.
   */
  private async liveDetail(a: StoredAsset): Promise<string | null> {
    if (a.state !== AssetState.GENERATING || !a.jobId) return null;
    const request = (await this.d.repo.getAssetRequest(a.id)) as { liveWait?: unknown } | null;
    if (!request?.liveWait) return null;
    const wait = await this.d.jobs.liveWait(a.jobId).catch(() => null);
    return wait ? describeLiveWait(wait) : null;
  }

  async listAssets({ filter, pageIndex }: ListAssetsRequest): Promise<AssetObject[]> {
    const rows = await this.d.repo.listAssets(filter, pageIndex);
    return rows.map((a) => this.assetObject(a));
  }

  async renameAsset({ id, name }: RenameRequest): Promise<AssetObject> {
    const a = await this.d.repo.renameAsset(id, name);
    if (!a) throw new ApiError('AssetNotFound', `Unable to find asset ${id}`, { id });
    return this.assetObject(a);
  }

  async deleteAsset(id: string): Promise<{ id: string; cancelledJob: boolean }> {
    const existing = await this.d.repo.getAsset(id);
    if (!existing) throw new ApiError('AssetNotFound', `Unable to find asset ${id}`, { id });
    if (existing.type === AssetType.SYSTEM) {
      throw new ApiError('SystemAssetProtected', `Unable to delete asset ${id} because SYSTEM assets are not deletable`, { id });
    }
    return this.removeAsset(existing);
  }

  private async removeAsset(a: StoredAsset): Promise<{ id: string; cancelledJob: boolean }> {
    let cancelledJob = false;
    if (a.state === AssetState.GENERATING && a.jobId) cancelledJob = await this.d.jobs.cancelAsset(a.jobId);
    await this.d.repo.deleteAsset(a.id);
    await this.d.storage.remove(a.path);
    return { id: a.id, cancelledJob };
  }

  async deleteAssets(filter: AssetFilter): Promise<{ deletedCount: number; deletedIds: string[]; skippedSystemCount: number }> {
    const given = Object.entries(filter).filter(([k, v]) => k !== 'extensions' && v !== null);
    if (given.length === 0) throw validation('bulk delete needs at least one filter (eventId, contentId, jobId, name, states or types)');
    const matches = await this.d.repo.findAssets({ ...filter, extensions: null });
    const deletedIds: string[] = [];
    let skippedSystemCount = 0;
    for (const a of matches) {
      if (a.type === AssetType.SYSTEM) {
        skippedSystemCount++;
        continue;
      }
      await this.removeAsset(a);
      deletedIds.push(a.id);
    }
    return { deletedCount: deletedIds.length, deletedIds, skippedSystemCount };
  }

  async syncAssets(id: string): Promise<SyncResult> {
    const event = await this.event(id);
    if (!event.vodFile) throw new ApiError('EventHasNoVodFile', `Unable to sync event ${id} because it has no VOD file`, { eventId: id });
    return this.d.jobs.runSync(id);
  }

  /**
   * Follows one asset until COMPLETED or FAILED; yields on every change of state or progress.
   * State comes from PostgreSQL, re-read only when the gateway's one LISTEN connection says the
   * asset changed (asset-changes.ts), not polled. Progress comes from the running activity's
   * heartbeat in Temporal, which no NOTIFY carries: while the asset is GENERATING it is read
   * every `progressMs`, once per job however many streams watch it.
   */
  async *watchAsset(id: string, signal: AbortSignal, progressMs = WATCH_PROGRESS_MS): AsyncGenerator<{ asset: AssetObject; progress: number | null }> {
    const key = id;
    // Subscribed before the first read, so a change committed in between still wakes the stream.
    const watch = this.d.changes.watch(key);
    try {
      let last = '';
      let progress: number | null = null;
      let detail: string | null = null;
      let reread = true;
      let a: StoredAsset | null = null;
      while (!signal.aborted) {
        if (reread || !a) {
          a = await this.watchedRows.get(`${key}:${this.d.changes.generation()}`, () => this.d.repo.getAsset(key));
          if (!a) throw new ApiError('AssetNotFound', `Unable to find asset ${id}`, { id });
        }
        if (a.state === AssetState.COMPLETED) progress = 1;
        else if (a.state === AssetState.GENERATING && a.jobId) {
          const jobId = a.jobId;
          const asset = a;
          const view = await this.jobViews.get(jobId, async () => ({
            progress: await this.d.jobs.progress(jobId).catch(() => null),
            detail: await this.liveDetail(asset),
          }));
          progress = view.progress ?? progress;
          detail = view.detail;
        }
        if (a.state !== AssetState.GENERATING) detail = null;
        const fingerprint = `${a.state}:${progress}:${detail}:${a.dateModified.getTime()}`;
        if (fingerprint !== last) {
          last = fingerprint;
          yield { asset: this.withDetail(this.assetObject(a), detail), progress };
        }
        if (a.state !== AssetState.GENERATING) return;
        // Woken by a change: re-read the row. Timed out: only progress may have moved, unless
        // the subscription is down, when this stream falls back to reading the row each period.
        reread = (await watch.next(progressMs, signal)) || !this.d.changes.connected();
      }
    } finally {
      watch.close();
    }
  }

  // --- events and vuflows ------------------------------------------------------------------

  async createEvent(req: CreateEventRequest): Promise<EventObject> {
    await this.checkSourceUrl(req.sourceUrl);
    await this.checkVuflow(req.vuflowId);
    const id = randomUUID();
    const e = await this.d.repo.insertEvent({ ...req, id, contentId: req.contentId ?? id });
    return toEventObject(e);
  }

  async getEvent(id: string): Promise<EventObject> {
    return toEventObject(await this.event(id));
  }

  async listEvents(pageIndex: number): Promise<EventObject[]> {
    return (await this.d.repo.listEvents(pageIndex)).map(toEventObject);
  }

  async updateEvent(key: string, req: UpdateEventRequest): Promise<EventObject> {
    await this.event(key);
    await this.checkSourceUrl(req.sourceUrl ?? null);
    await this.checkVuflow(req.vuflowId ?? null);
    const e = await this.d.repo.updateEvent(key, req);
    if (!e) throw new ApiError('EventNotFound', `Unable to find event ${key}`, { eventId: key });
    return toEventObject(e);
  }

  async deleteEvent(key: string): Promise<{ id: string }> {
    await this.event(key);
    // Generated assets go with their event (jobs cancelled, files removed); SYSTEM assets are
    // files the system found, such as the VOD itself, and stay on storage.
    const generated = await this.d.repo.findAssets({ ...NO_FILTER, eventId: key, types: [AssetType.IMAGE, AssetType.VIDEO, AssetType.GIF] });
    for (const a of generated) await this.removeAsset(a);
    if (!(await this.d.repo.deleteEvent(key))) throw new ApiError('EventNotFound', `Unable to find event ${key}`, { eventId: key });
    return { id: key };
  }

  /**
   * The egress policy at request time, names resolved (the worker or, for a callbackUrl, the
   * orchestrator checks again where it connects). Sources and webhook URLs share it.
   */
  private async checkSourceUrl(sourceUrl: string | null, field = 'sourceUrl'): Promise<void> {
    if (sourceUrl === null) return;
    try {
      await resolveChecked(egressPolicyFromConfig(this.d.config), new URL(sourceUrl).hostname, timedLookup);
    } catch (err) {
      if (err instanceof EgressRefusedError) throw validation(`${field} is not allowed: ${err.message}`, { field });
      if (networkErrorCode(err) === 'ENOTFOUND') throw validation(`${field}'s host name does not resolve`, { field });
      throw new ApiError('Unavailable', `Unable to check ${field} because its host name could not be resolved (${describeNetworkError(err)})`, { field });
    }
  }

  private async checkVuflow(vuflowId: string | null): Promise<void> {
    if (vuflowId !== null && !(await this.d.repo.getVuflow(vuflowId))) {
      throw new ApiError('VuflowNotFound', `Unable to find vuflow ${vuflowId}`, { vuflowId });
    }
  }

  async createVuflow({ name, configurationJson }: CreateVuflowRequest): Promise<VuflowObject> {
    const callbackUrl = vuflowCallbackUrl(configurationJson);
    if (callbackUrl !== null) {
      requireSigningSecret(this.d.config, 'configurationJson.callbackUrl');
      await this.checkSourceUrl(callbackUrl, 'configurationJson.callbackUrl');
    }
    return toVuflowObject(await this.d.repo.insertVuflow({ id: randomUUID(), name, configurationJson }));
  }

  async listVuflows(): Promise<VuflowObject[]> {
    return (await this.d.repo.listVuflows()).map(toVuflowObject);
  }
}
