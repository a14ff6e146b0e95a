// Request options normalised once, at the edge: defaults applied, ranges checked, every
// field present. Pure, so each rule is unit-tested without a server.
import type { Limits } from '@framesmith/core/config';
import { ASSET_STATES, ASSET_TYPES, type AssetStateValue, type AssetTypeValue, JOB_KIND_EXTENSION, type JobKind } from '@framesmith/core/domain/asset';
import { filenameProblem } from '@framesmith/core/domain/filename';
import type { ClipRange, GifOptions, VideoOptions } from '@framesmith/core/domain/job';
import type { AssetFilter } from '@framesmith/core/db/repo';
import { validation } from '@framesmith/core/errors';
import { parseTrackFilter } from '@framesmith/core/media/filter-expression';
import { DEFAULT_PRIORITY, PRIORITY_LEVELS } from '@framesmith/core/temporal/names';
import { type ClipTime, parseClipTime } from '@framesmith/core/time';
import { asObject, type Body, isUuid, optBool, optInt, optNumber, optString, optUuid, queryBool, reqString, reqUuid } from './parse-input.js';

export const GIF_DEFAULTS = { fps: 18, playbackRepeats: 0, reverse: false, playbackSpeed: 1 } as const;
export const PLAYBACK_SPEED_RANGE = { min: 0, max: 10 } as const;
export const MAX_PLAYBACK_REPEATS = 65535; // the NETSCAPE2.0 loop field is 16 bits

interface Common {
  eventId: string;
  name: string;
  filename: string | null;
  priority: number;
}

export interface ImageRequest extends Common {
  time: ClipTime;
}

export interface ClipRequest extends Common, ClipRange {}
export interface GifRequest extends Common, GifOptions {}
export interface VideoRequest extends Common, VideoOptions {}

function time(b: Body, key: string, field: string): ClipTime {
  const text = reqString(b, key, field, 64);
  const t = parseClipTime(text);
  if (!t) throw validation(`${field} must be HH:mm:ss.fff or an ISO8601 instant, got ${JSON.stringify(text)}`, { field });
  return t;
}

function common(b: Body, eventId: string, kind: JobKind): Common {
  const filename = optString(b, 'filename', 'filename', 512);
  if (filename !== null) {
    const problem = filenameProblem(filename, JOB_KIND_EXTENSION[kind]);
    if (problem) throw validation(problem, { field: 'filename' });
  }
  return {
    eventId,
    name: reqString(b, 'name', 'name', 256),
    filename,
    priority: optInt(b, 'priority', { min: 1, max: PRIORITY_LEVELS }) ?? DEFAULT_PRIORITY,
  };
}

function clip(b: Body, maxSeconds: number): { clip: Body; start: ClipTime; end: ClipTime } {
  const c = asObject(b.clip, 'clip');
  const start = time(c, 'start', 'clip.start');
  const end = time(c, 'end', 'clip.end');
  if (start.kind !== end.kind) throw validation('clip.start and clip.end must both be offsets or both be ISO8601 instants', { field: 'clip.end' });
  const span = start.kind === 'offset' && end.kind === 'offset' ? end.seconds - start.seconds : ((end as { epochMs: number }).epochMs - (start as { epochMs: number }).epochMs) / 1000;
  if (span <= 0) throw validation('clip.end must be after clip.start', { field: 'clip.end' });
  if (span > maxSeconds) throw validation(`a clip may be at most ${maxSeconds} seconds long`, { field: 'clip.end', maxSeconds });
  return { clip: c, start, end };
}

export function parseImageRequest(body: unknown): ImageRequest {
  const b = asObject(body, 'body');
  const eventId = reqUuid(b, 'eventId');
  return { ...common(b, eventId, 'image'), time: time(b, 'time', 'time') };
}

export function parseGifRequest(body: unknown, limits: Limits): GifRequest {
  const b = asObject(body, 'body');
  const { clip: c, start, end } = clip(b, limits.maxGifSeconds);
  const eventId = reqUuid(c, 'eventId', 'clip.eventId');
  const dim = (key: string) => {
    const v = optNumber(b, key, { min: 1, max: limits.maxOutputDimension });
    return v === null ? null : Math.max(2, Math.round(v));
  };
  return {
    ...common(b, eventId, 'gif'),
    start,
    end,
    fps: optInt(b, 'fps', { min: limits.minFps, max: limits.maxFps }) ?? GIF_DEFAULTS.fps,
    width: dim('width'),
    height: dim('height'),
    playbackRepeats: optInt(b, 'playbackRepeats', { min: -1, max: MAX_PLAYBACK_REPEATS }) ?? GIF_DEFAULTS.playbackRepeats,
    reverse: optBool(b, 'reverse') ?? GIF_DEFAULTS.reverse,
    playbackSpeed: optNumber(b, 'playbackSpeed', PLAYBACK_SPEED_RANGE) ?? GIF_DEFAULTS.playbackSpeed,
  };
}

export function parseVideoRequest(body: unknown, limits: Limits): VideoRequest {
  const b = asObject(body, 'body');
  const { clip: c, start, end } = clip(b, limits.maxClipSeconds);
  const eventId = reqUuid(c, 'eventId', 'clip.eventId');
  const filter = optString(c, 'filter', 'clip.filter', 1024);
  if (filter !== null && filter.trim() !== '') {
    try {
      parseTrackFilter(filter);
    } catch (err) {
      throw validation(`clip.filter does not parse: ${(err as Error).message}`, { field: 'clip.filter' });
    }
  }
  return {
    ...common(b, eventId, 'video'),
    start,
    end,
    filter: filter !== null && filter.trim() !== '' ? filter : null,
    mezzanine: optBool(b, 'mezzanine') ?? false,
    frameAccurate: optBool(b, 'frameAccurate') ?? false,
    copyTs: optBool(b, 'copyTs') ?? false,
  };
}

export function parseRename(id: string, name: unknown): { id: string; name: string } {
  if (typeof name !== 'string' || name.trim() === '') throw validation('name is required', { field: 'name' });
  if (name.length > 256) throw validation('name must be at most 256 characters', { field: 'name' });
  return { id: assetId(id), name };
}

export function assetId(id: string): string {
  if (!isUuid(id)) throw validation('the asset id must be a GUID', { field: 'id' });
  return id.toLowerCase();
}

function enumList<T extends number>(raw: string | null, names: readonly string[], field: string): T[] | null {
  if (raw === null || raw.trim() === '') return null;
  return raw.split(',').map((part) => {
    const p = part.trim();
    if (/^\d+$/.test(p) && Number(p) < names.length) return Number(p) as T;
    const i = names.indexOf(p.toUpperCase());
    if (i < 0) throw validation(`${field} has an unknown value ${JSON.stringify(p)}; use ${names.join(', ')} or their numbers`, { field });
    return i as T;
  });
}

/** Filters of `GET /api/asset/` and `DELETE /api/asset/` (delete takes no extensions). */
export function parseAssetFilter(q: URLSearchParams, allowExtensions: boolean): AssetFilter {
  const s = (key: string) => {
    const v = q.get(key);
    if (v !== null && v.length > 256) throw validation(`${key} must be at most 256 characters`, { field: key });
    return v === null || v === '' ? null : v;
  };
  const eventId = s('eventId');
  if (eventId !== null && !isUuid(eventId)) throw validation('eventId must be a GUID', { field: 'eventId' });
  let extensions: string[] | null = null;
  if (allowExtensions && s('extensions') !== null) {
    extensions = s('extensions')!.split(',').map((e) => e.trim()).filter(Boolean);
    if (extensions.length === 0) extensions = null;
  }
  return {
    eventId: eventId?.toLowerCase() ?? null,
    contentId: s('contentId'),
    jobId: s('jobId'),
    name: s('name'),
    states: enumList<AssetStateValue>(s('states'), ASSET_STATES, 'states'),
    types: enumList<AssetTypeValue>(s('types'), ASSET_TYPES, 'types'),
    extensions,
  };
}

export function parsePageIndex(q: URLSearchParams): number {
  const raw = q.get('pageIndex');
  if (raw === null || raw === '') return 0;
  if (!/^\d{1,6}$/.test(raw)) throw validation('pageIndex must be a whole number from 0', { field: 'pageIndex' });
  return Number(raw);
}

export { queryBool, optUuid };
