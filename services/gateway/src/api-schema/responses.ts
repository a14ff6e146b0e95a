// The response shapes of the REST API, for the OpenAPI document. The objects themselves are
// built in lib/core (toAssetObject, toEventObject, ...); the type checks at the end make the
// build fail if these schemas and those builders ever disagree.
import * as z from 'zod';
import { ASSET_STATES, ASSET_TYPES, type AssetObject } from '@framesmith/core/domain/asset';
import type { EventObject, VuflowObject } from '@framesmith/core/domain/event';
import type { ErrorBody, ErrorType } from '@framesmith/core/errors';
import type { SyncResult } from '@framesmith/core/temporal/activity-policy';

const date = z.string().meta({ format: 'date-time', description: 'ISO8601, UTC, whole seconds' });
const uuid = z.string().meta({ format: 'uuid' });

export const assetObject = z
  .object({
    id: uuid,
    eventId: uuid,
    name: z.string(),
    path: z.string().meta({ description: 'storage path, relative to the storage root' }),
    extension: z.string().meta({ examples: ['gif', 'mp4', 'jpg'] }),
    state: z.number().int().min(0).max(ASSET_STATES.length - 1).meta({ description: '0 GENERATING, 1 COMPLETED, 2 FAILED' }),
    stateString: z.enum(ASSET_STATES),
    type: z.number().int().min(0).max(ASSET_TYPES.length - 1).meta({ description: '0 SYSTEM, 1 IMAGE, 2 VIDEO, 3 GIF' }),
    typeString: z.enum(ASSET_TYPES),
    jobId: z.string().meta({ description: 'the workflow that makes the asset (`gif-<id>`, ...); empty for SYSTEM assets' }),
    contentId: z.string(),
    dateCreated: date,
    dateModified: date,
    url: z.string().meta({ description: "the vuflow's public base joined with path (signed when content signing is on)" }),
    failureReason: z.string().optional().meta({ description: 'only on FAILED assets' }),
    detail: z.string().optional().meta({ description: "only while a GENERATING asset's job waits for a live window's edge (Live rules)" }),
  })
  .meta({ id: 'Asset' });

export const eventObject = z
  .object({
    id: uuid,
    title: z.string(),
    contentId: z.string(),
    refId: z.string().nullable(),
    externalId: z.string().nullable(),
    vuflowId: uuid.nullable(),
    vodFile: z.string().nullable(),
    sourceUrl: z.string().nullable(),
    dateCreated: date,
    dateModified: date,
  })
  .meta({ id: 'Event' });

export const vuflowObject = z
  .object({
    id: uuid,
    name: z.string(),
    configurationJson: z.looseObject({ storageUrlPublic: z.string() }),
    isDefault: z.boolean(),
    dateCreated: date,
  })
  .meta({ id: 'Vuflow' });

export const syncResult = z
  .object({ hasVodFileChanged: z.boolean(), createdAssetsCount: z.number().int(), deletedAssetsCount: z.number().int(), pathEvaluated: z.string() })
  .meta({ id: 'SyncResult' });

export const deleteAssetResult = z.object({ id: uuid, cancelledJob: z.boolean() }).meta({ id: 'DeleteAssetResult' });
export const deleteAssetsResult = z
  .object({ deletedCount: z.number().int(), deletedIds: z.array(uuid), skippedSystemCount: z.number().int() })
  .meta({ id: 'DeleteAssetsResult' });
export const deleteEventResult = z.object({ id: uuid }).meta({ id: 'DeleteEventResult' });

export const ERROR_TYPES = [
  'ValidationError',
  'Unauthorized',
  'AssetNotFound',
  'EventNotFound',
  'VuflowNotFound',
  'RouteNotFound',
  'MethodNotAllowed',
  'SystemAssetProtected',
  'EventHasNoVodFile',
  'PayloadTooLarge',
  'UnsupportedMediaType',
  'Conflict',
  'IdempotencyKeyReused',
  'Unavailable',
  'InternalError',
] as const satisfies readonly ErrorType[];

export const errorBody = z
  .object({
    exceptionType: z.string().meta({ examples: ['ValidationErrorException'] }),
    exceptionMessage: z.string().regex(/^Unable to /).meta({ description: 'reads "Unable to ... because ..."' }),
    errorType: z.enum(ERROR_TYPES).meta({ description: 'stable; clients branch on it' }),
    data: z.record(z.string(), z.unknown()).meta({ description: 'names the field at fault (`field`) where there is one' }),
  })
  .meta({ id: 'Error' });

// Compile-time agreement between these schemas and the objects the service returns.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(..._: T[]) => undefined;
agree<Same<z.output<typeof assetObject>, AssetObject>>();
agree<Same<z.output<typeof eventObject>, EventObject>>();
agree<Same<Omit<z.output<typeof vuflowObject>, 'configurationJson'>, Omit<VuflowObject, 'configurationJson'>>>();
agree<Same<z.output<typeof syncResult>, SyncResult>>();
agree<Same<z.output<typeof errorBody>, ErrorBody>>();
// Every error type is listed (the reverse of `satisfies` above).
agree<Same<(typeof ERROR_TYPES)[number], ErrorType>>();
