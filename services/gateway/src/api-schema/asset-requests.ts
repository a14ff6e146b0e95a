// The asset requests, defined once: what REST bodies and queries and the gRPC messages are
// parsed with, and what the OpenAPI document shows. Parsing yields the normalised requests
// the service takes: defaults applied, ranges checked, every field present.
import { clipSpanProblem } from '@framesmith/core/domain/media-limits';
import * as z from 'zod';
import type { Limits } from '@framesmith/core/config';
import { ASSET_STATES, ASSET_TYPES, type AssetStateValue, type AssetTypeValue, JOB_KIND_EXTENSION, type JobKind } from '@framesmith/core/domain/asset';
import type { AssetFilter } from '@framesmith/core/db/repo';
import { filenameProblem } from '../domain/filename.js';
import { parseTrackFilter } from '@framesmith/core/media/filter-expression';
import { DEFAULT_PRIORITY, PRIORITY_LEVELS } from '@framesmith/core/temporal/names';
import type { ClipTime } from '@framesmith/core/time';
import { clipTime, idParam, isUuid, optBool, optHttpUrl, optInt, optNumber, optString, queryBool, reqString, reqUuid } from './fields.js';

export const GIF_DEFAULTS = { fps: 18, playbackRepeats: 0, reverse: false, playbackSpeed: 1 } as const;
export const PLAYBACK_SPEED_RANGE = { min: 0, max: 10 } as const;
export const MAX_PLAYBACK_REPEATS = 65535; // the NETSCAPE2.0 loop field is 16 bits
export const NAME_MAX = 256;
const FILENAME_MAX = 512;
const TRACK_FILTER_MAX = 1024;
const BODY = 'body must be a JSON object';

/** `filename` is checked against the kind's extension (the system adds it). */
const filename = (kind: JobKind) =>
  optString('filename', FILENAME_MAX).superRefine((v, ctx) => {
    const problem = v === null ? null : filenameProblem(v, JOB_KIND_EXTENSION[kind]);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const common = (kind: JobKind) => ({
  callbackUrl: optHttpUrl('callbackUrl').meta({ description: 'POSTed the signed asset JSON once the asset is COMPLETED or FAILED; see docs/api.md, Completion webhooks' }),
  filename: filename(kind).meta({ description: 'file name without extension; defaults to a slug of name' }),
  name: reqString('name', NAME_MAX),
  priority: optInt('priority', { min: 1, max: PRIORITY_LEVELS })
    .transform((v) => v ?? DEFAULT_PRIORITY)
    .meta({ description: `1 (highest) to ${PRIORITY_LEVELS}, default ${DEFAULT_PRIORITY}` }),
});

/** A clip of at most `maxSeconds`, both ends of one kind (offsets or instants), end after start. */
const clip = <S extends z.ZodRawShape>(maxSeconds: number, extra: S) =>
  z
    .object({ eventId: reqUuid('clip.eventId'), start: clipTime('clip.start'), end: clipTime('clip.end'), ...extra }, { error: 'clip must be a JSON object' })
    .superRefine((c, ctx) => checkSpan(c as unknown as { start: ClipTime; end: ClipTime }, maxSeconds, ctx));

function checkSpan({ start, end }: { start: ClipTime; end: ClipTime }, maxSeconds: number, ctx: z.RefinementCtx) {
  const issue = (message: string, params = {}) => ctx.addIssue({ code: 'custom', message, path: ['end'], params });
  if (start.kind !== end.kind) return issue('clip.start and clip.end must both be offsets or both be ISO8601 instants');
  const span = start.kind === 'offset' && end.kind === 'offset' ? end.seconds - start.seconds : (epochMs(end) - epochMs(start)) / 1000;
  const problem = clipSpanProblem(span, maxSeconds);
  if (problem) issue(problem.message, problem.details);
}

const epochMs = (t: ClipTime) => (t as { epochMs: number }).epochMs;

const trackFilter = optString('clip.filter', TRACK_FILTER_MAX)
  .transform((v) => (v !== null && v.trim() !== '' ? v : null))
  .superRefine((v, ctx) => {
    if (v === null) return;
    try {
      parseTrackFilter(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `clip.filter does not parse: ${(err as Error).message}` });
    }
  })
  .meta({ description: 'track selection, e.g. `(type=="video"&&DisplayHeight==576)`; see docs/api.md' });

export function assetRequestSchemas(limits: Limits) {
  const image = z
    .object({ eventId: reqUuid('eventId'), ...common('image'), time: clipTime('time') }, { error: BODY })
    .meta({ id: 'CreateImageRequest' });

  const dimension = (field: string) =>
    optNumber(field, { min: 1, max: limits.maxOutputDimension }).transform((v) => (v === null ? null : Math.max(2, Math.round(v))));
  const gif = z
    .object(
      {
        clip: clip(limits.maxGifSeconds, {}),
        ...common('gif'),
        fps: optInt('fps', { min: limits.minFps, max: limits.maxFps }).transform((v) => v ?? GIF_DEFAULTS.fps),
        width: dimension('width'),
        height: dimension('height'),
        playbackRepeats: optInt('playbackRepeats', { min: -1, max: MAX_PLAYBACK_REPEATS })
          .transform((v) => v ?? GIF_DEFAULTS.playbackRepeats)
          .meta({ description: '-1 plays once, 0 loops forever, n repeats n times' }),
        reverse: optBool('reverse').transform((v) => v ?? GIF_DEFAULTS.reverse),
        playbackSpeed: optNumber('playbackSpeed', PLAYBACK_SPEED_RANGE).transform((v) => v ?? GIF_DEFAULTS.playbackSpeed),
      },
      { error: BODY },
    )
    .transform(({ clip: { eventId, start, end }, ...rest }) => ({ eventId, start, end, ...rest }))
    .meta({ id: 'CreateGifRequest' });

  const flag = (field: string) => optBool(field).transform((v) => v ?? false);
  const video = z
    .object(
      {
        clip: clip(limits.maxClipSeconds, { filter: trackFilter }),
        ...common('video'),
        mezzanine: flag('mezzanine').meta({ description: 'keep only the best video and the best audio track' }),
        frameAccurate: flag('frameAccurate').meta({ description: 'exact first and last frames (smart cut) instead of a keyframe copy' }),
        copyTs: flag('copyTs').meta({ description: "keep the source's timestamps" }),
      },
      { error: BODY },
    )
    .transform(({ clip: { eventId, start, end, filter }, ...rest }) => ({ eventId, start, end, filter, ...rest }))
    .meta({ id: 'CreateVideoRequest' });

  return { image, gif, video };
}

type Schemas = ReturnType<typeof assetRequestSchemas>;
export type ImageRequest = z.output<Schemas['image']>;
export type GifRequest = z.output<Schemas['gif']>;
export type VideoRequest = z.output<Schemas['video']>;
export type CreateRequest = ImageRequest | GifRequest | VideoRequest;

/** Path parameter of the asset routes. */
const assetIdParam = idParam('the asset id must be a GUID');

export const assetPath = z.object({ id: assetIdParam });

/** `noCache=true` reads the database, bypassing the gateway's read cache (docs/api.md). */
export const noCacheQuery = z.object({ noCache: queryBool('noCache') });

/** `PUT /api/asset/{id}/?name=` (the seed also sends `Name`). */
export const renameRequest = z.object({
  id: assetIdParam,
  name: z
    .string({ error: 'name is required' })
    .refine((v) => v.trim() !== '', { error: 'name is required' })
    .refine((v) => v.length <= NAME_MAX, { error: `name must be at most ${NAME_MAX} characters` })
    .meta({ maxLength: NAME_MAX }),
});
export type RenameRequest = z.output<typeof renameRequest>;

/** `pageIndex` from 0, as text in a query. */
export const pageIndexQuery = z
  .string()
  .optional()
  .refine((v) => v === undefined || v === '' || /^\d{1,6}$/.test(v), { error: 'pageIndex must be a whole number from 0' })
  .transform((v) => (v ? Number(v) : 0))
  .meta({ pattern: '^\\d{1,6}$', description: 'page from 0, 100 per page' });

export const pageQuery = z.object({ pageIndex: pageIndexQuery });

const filterText = (field: string) =>
  z
    .string()
    .max(256, { error: `${field} must be at most 256 characters` })
    .optional()
    .transform((v) => (v ? v : null));

/** A comma-separated list of names (any case) or numbers of an enum. */
const enumList = <T extends number>(field: string, names: readonly string[]) =>
  filterText(field)
    .transform((raw, ctx): T[] | null => {
      if (raw === null || raw.trim() === '') return null;
      const out: T[] = [];
      for (const part of raw.split(',')) {
        const p = part.trim();
        const i = /^\d+$/.test(p) && Number(p) < names.length ? Number(p) : names.indexOf(p.toUpperCase());
        if (i < 0) {
          ctx.addIssue({ code: 'custom', message: `${field} has an unknown value ${JSON.stringify(p)}; use ${names.join(', ')} or their numbers` });
          return z.NEVER;
        }
        out.push(i as T);
      }
      return out;
    })
    .meta({ description: `comma-separated: ${names.map((n, i) => `${n} or ${i}`).join(', ')}` });

const filterShape = {
  eventId: filterText('eventId')
    .refine((v) => v === null || isUuid(v), { error: 'eventId must be a GUID' })
    .transform((v) => v?.toLowerCase() ?? null),
  contentId: filterText('contentId'),
  jobId: filterText('jobId'),
  name: filterText('name'),
  states: enumList<AssetStateValue>('states', ASSET_STATES),
  types: enumList<AssetTypeValue>('types', ASSET_TYPES),
};

/** `GET /api/asset/`: filters, page and `noCache` (bypass the read cache). */
export const listAssetsParams = z.object({
    ...filterShape,
    extensions: filterText('extensions')
      .transform((v) => {
        const list = v?.split(',').map((e) => e.trim()).filter(Boolean) ?? [];
        return list.length ? list : null;
      })
      .meta({ description: 'comma-separated file-name suffixes, e.g. `gif,_sprite.jpg`' }),
    pageIndex: pageIndexQuery,
    noCache: queryBool('noCache'),
});
export const listAssetsQuery = listAssetsParams.transform(({ pageIndex, noCache, ...filter }): { filter: AssetFilter; pageIndex: number; noCache: boolean } => ({ filter, pageIndex, noCache }));
export type ListAssetsRequest = z.output<typeof listAssetsQuery>;

/** `DELETE /api/asset/`: the same filters, without extensions. */
export const deleteAssetsParams = z.object(filterShape);
export const deleteAssetsQuery = deleteAssetsParams.transform((f): AssetFilter => ({ ...f, extensions: null }));

/**
 * `Idempotency-Key` (gRPC: `idempotency-key` metadata) on the create requests: a retry with the
 * same key and body within 24 h gets the first answer and starts nothing.
 */
export const IDEMPOTENCY_KEY_MAX = 255;
export const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, { error: `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX} visible ASCII characters` })
  .optional()
  .meta({ description: 'any unique string (a UUID is a good choice); a retry with the same key and body within 24 h returns the first asset and starts nothing' });
export const idempotencyHeader = z.object({ 'Idempotency-Key': idempotencyKey });
