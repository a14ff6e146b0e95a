// Event and vuflow requests, defined once for REST, gRPC and the OpenAPI document. What needs
// the network or the database (the egress check of sourceUrl, whether a vuflow exists) stays
// in the service; everything decidable from the request alone is here.
import * as z from 'zod';
import { ApiError } from '@framesmith/core/errors';
import { normaliseRelative } from '@framesmith/core/storage';
import { checkStrings } from '../service/parse-input.js';
import { idParam, optHttpUrl, optString, optUuid, reqString } from './fields.js';

const BODY = 'body must be a JSON object';

export const eventPath = z.object({ id: idParam('the event id must be a GUID') });

/** `PUT /api/asset/sync/{eventId}`. */
export const syncPath = z.object({ eventId: idParam('eventId must be a GUID', { max: 64, message: 'eventId must be at most 64 characters' }) });

const vodFile = optString('vodFile', 1024)
  .transform((raw, ctx) => {
    if (raw === null) return null;
    const rel = normaliseRelative(raw);
    if (rel === null) ctx.addIssue({ code: 'custom', message: 'vodFile must be a path relative to the storage root, inside it' });
    else if (!/\.(mp4|mov|m4v|m3u8|ts|mkv)$/i.test(rel)) ctx.addIssue({ code: 'custom', message: 'vodFile must be an MP4/MOV file or an HLS .m3u8 playlist' });
    return rel;
  })
  .meta({ description: 'storage path of an MP4/MOV/MKV/TS file or an HLS .m3u8 playlist' });

const sourceUrl = optHttpUrl('sourceUrl').meta({ description: 'http(s) source, checked by the egress policy (docs/security.md)' });

const eventFields = {
  vodFile,
  sourceUrl,
  vuflowId: optUuid('vuflowId'),
  contentId: optString('contentId', 256),
  refId: optString('refId', 256),
  externalId: optString('externalId', 256),
};

export const createEventRequest = z
  .object({ title: reqString('title'), ...eventFields }, { error: BODY })
  .superRefine((e, ctx) => {
    if (e.vodFile === null && e.sourceUrl === null) ctx.addIssue({ code: 'custom', message: 'an event needs vodFile or sourceUrl', path: ['vodFile'] });
  })
  .meta({ id: 'CreateEventRequest' });
export type CreateEventRequest = z.output<typeof createEventRequest>;

/** PATCH: an absent (or null) field is left as it is. */
export const updateEventRequest = z
  .object({ title: reqString('title').optional(), ...eventFields }, { error: BODY })
  .transform((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v ?? undefined])) as { [K in keyof typeof e]?: NonNullable<(typeof e)[K]> })
  .meta({ id: 'UpdateEventRequest' });
export type UpdateEventRequest = z.output<typeof updateEventRequest>;

const configuration = z
  .looseObject(
    {
      storageUrlPublic: reqString('configurationJson.storageUrlPublic', 2048).refine(
        (v) => URL.canParse(v) && ['http:', 'https:'].includes(new URL(v).protocol),
        { error: 'configurationJson.storageUrlPublic must be an http(s) URL' },
      ),
      // Absent stays absent (optional before the transform), so vuflows without one read as before.
      callbackUrl: optHttpUrl('configurationJson.callbackUrl')
        .optional()
        .meta({ description: "default callbackUrl for the assets of this vuflow's events (docs/api.md, Completion webhooks)" }),
    },
    { error: 'configurationJson must be a JSON object' },
  )
  .superRefine((c, ctx) => {
    // JSON text may spell a NUL as an escape; jsonb refuses it, so the parsed values get the rule too.
    try {
      checkStrings(c, 'configurationJson');
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message, params: err.data });
    }
  });

/** The configuration as an object or as JSON text (gRPC carries it as a string). */
const configurationJson = z.preprocess((v, ctx) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'configurationJson must be JSON', input: v });
    return z.NEVER;
  }
}, configuration);

export const createVuflowRequest = z.object({ name: reqString('name'), configurationJson }, { error: BODY }).meta({ id: 'CreateVuflowRequest' });
export type CreateVuflowRequest = z.output<typeof createVuflowRequest>;
