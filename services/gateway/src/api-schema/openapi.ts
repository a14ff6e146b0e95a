// The OpenAPI 3.1 document of the REST API, generated from the same schemas the routes parse
// with (zod-openapi renders zod 4 schemas; requests in their input form, responses as output).
// Limits come from the running configuration, so the document states what this gateway takes.
import * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import type { Limits } from '@framesmith/core/config';
import { assetPath, assetRequestSchemas, deleteAssetsParams, idempotencyHeader, listAssetsParams, noCacheQuery, pageQuery, renameRequest } from './asset-requests.js';
import { createEventRequest, createVuflowRequest, eventPath, syncPath, updateEventRequest } from './event-requests.js';
import {
  assetObject,
  deleteAssetResult,
  deleteAssetsResult,
  deleteEventResult,
  errorBody,
  eventObject,
  syncResult,
  vuflowObject,
} from './responses.js';

export const OPENAPI_PATH = '/api/openapi.json';

/** The document's path, with or without the trailing slash every /api route accepts. */
export function isOpenApiPath(pathname: string): boolean {
  return pathname === OPENAPI_PATH || pathname === `${OPENAPI_PATH}/`;
}

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

const ERROR_TEXT: Record<number, string> = {
  400: 'ValidationError: a field is missing or wrong (named in data.field), or the body is not JSON',
  401: 'Unauthorized: the API key is missing or unknown',
  403: 'SystemAssetProtected',
  404: 'AssetNotFound, EventNotFound or VuflowNotFound',
  409: 'EventHasNoVodFile or Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType: the body must be application/json',
  422: 'IdempotencyKeyReused: the Idempotency-Key was used with a different request',
  503: 'Unavailable: PostgreSQL, Temporal or storage did not answer in time',
};

/** 200 with `ok`, plus the contract's error body for each listed status (401 and 503 always). */
function responses(ok: z.ZodType, description: string, errors: number[]): ZodOpenApiResponsesObject {
  const out: ZodOpenApiResponsesObject = { '200': { description, ...json(ok) } };
  for (const status of [...new Set([...errors, 401, 503])].sort()) {
    out[`${status}` as `4${string}`] = { description: ERROR_TEXT[status]!, ...json(errorBody) };
  }
  return out;
}

const body = (schema: z.ZodType): ZodOpenApiOperationObject['requestBody'] => ({ required: true, ...json(schema) });

export function createOpenApiDocument(limits: Limits) {
  const { image, gif, video } = assetRequestSchemas(limits);
  const create = (schema: z.ZodType, what: string): ZodOpenApiOperationObject => ({
    tags: ['assets'],
    summary: `Create a ${what} asset`,
    description: 'Answers with the new asset in GENERATING; a workflow makes the file. See docs/api.md.',
    requestParams: { header: idempotencyHeader },
    requestBody: body(schema),
    responses: responses(assetObject, 'the new asset (or, for a repeated Idempotency-Key, the first one)', [400, 404, 409, 413, 415, 422]),
  });
  const idPath = assetPath;

  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Framesmith Asset API',
      version: '1',
      description:
        'GIFs, clips and frame grabs from live and on-demand streams. Every route also answers with a trailing slash. ' +
        'Every error has one body (`Error`); its `exceptionMessage` reads "Unable to ... because ..." and clients branch on `errorType`. ' +
        'The same service is offered over Connect/gRPC (proto/framesmith/v1).',
    },
    components: {
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'API-KEY', description: 'one of the keys in API_KEYS' },
        XAuthKey: { type: 'apiKey', in: 'header', name: 'X-Auth-Key', description: 'the same keys, under the header name older clients send' },
      },
    },
    security: [{ ApiKey: [] }, { XAuthKey: [] }],
    tags: [{ name: 'assets' }, { name: 'events' }, { name: 'vuflows' }, { name: 'meta' }],
    paths: {
      '/api/asset/image': { post: { ...create(image, 'IMAGE (one frame)'), operationId: 'createImage' } },
      '/api/asset/gif': { post: { ...create(gif, 'GIF'), operationId: 'createGif' } },
      '/api/asset/video': { post: { ...create(video, 'VIDEO (a clip)'), operationId: 'createVideo' } },
      '/api/asset/sync/{eventId}': {
        put: {
          tags: ['assets'],
          operationId: 'syncAssets',
          summary: "Make the event's assets match its VOD folder",
          requestParams: { path: syncPath },
          responses: responses(syncResult, 'what the sync changed', [400, 404, 409]),
        },
      },
      '/api/asset': {
        get: {
          tags: ['assets'],
          operationId: 'listAssets',
          summary: 'List assets (filters combine with AND; pages of 100, oldest first)',
          requestParams: { query: listAssetsParams },
          responses: responses(z.array(assetObject), 'one page of assets', [400]),
        },
        delete: {
          tags: ['assets'],
          operationId: 'deleteAssets',
          summary: 'Delete the assets matching the filters (at least one; SYSTEM assets are skipped)',
          requestParams: { query: deleteAssetsParams },
          responses: responses(deleteAssetsResult, 'what was deleted', [400]),
        },
      },
      '/api/asset/{id}': {
        get: {
          tags: ['assets'],
          operationId: 'getAsset',
          summary: 'Read an asset',
          requestParams: { path: idPath, query: noCacheQuery },
          responses: responses(assetObject, 'the asset', [400, 404]),
        },
        put: {
          tags: ['assets'],
          operationId: 'renameAsset',
          summary: 'Rename an asset (the name, not the file)',
          requestParams: { path: idPath, query: renameRequest.pick({ name: true }) },
          responses: responses(assetObject, 'the renamed asset', [400, 404]),
        },
        delete: {
          tags: ['assets'],
          operationId: 'deleteAsset',
          summary: "Delete an asset and its file; a GENERATING asset's job is cancelled",
          requestParams: { path: idPath },
          responses: responses(deleteAssetResult, 'the deleted asset', [400, 403, 404]),
        },
      },
      '/api/event': {
        post: { tags: ['events'], operationId: 'createEvent', summary: 'Create an event', requestBody: body(createEventRequest), responses: responses(eventObject, 'the new event', [400, 404, 413, 415]) },
        get: {
          tags: ['events'],
          operationId: 'listEvents',
          summary: 'List events',
          requestParams: { query: pageQuery },
          responses: responses(z.array(eventObject), 'one page of events', [400]),
        },
      },
      '/api/event/{id}': {
        get: { tags: ['events'], operationId: 'getEvent', summary: 'Read an event', requestParams: { path: eventPath }, responses: responses(eventObject, 'the event', [400, 404]) },
        patch: {
          tags: ['events'],
          operationId: 'updateEvent',
          summary: 'Change an event (absent fields stay as they are)',
          requestParams: { path: eventPath },
          requestBody: body(updateEventRequest),
          responses: responses(eventObject, 'the changed event', [400, 404, 413, 415]),
        },
        delete: {
          tags: ['events'],
          operationId: 'deleteEvent',
          summary: 'Delete an event and its generated assets',
          requestParams: { path: eventPath },
          responses: responses(deleteEventResult, 'the deleted event', [400, 404]),
        },
      },
      '/api/vuflow': {
        post: { tags: ['vuflows'], operationId: 'createVuflow', summary: 'Create a vuflow', requestBody: body(createVuflowRequest), responses: responses(vuflowObject, 'the new vuflow', [400, 413, 415]) },
        get: { tags: ['vuflows'], operationId: 'listVuflows', summary: 'List vuflows', responses: responses(z.array(vuflowObject), 'every vuflow', []) },
      },
      [OPENAPI_PATH]: {
        get: {
          tags: ['meta'],
          operationId: 'getOpenApiDocument',
          summary: 'This document (no API key needed)',
          security: [],
          responses: { '200': { description: 'the OpenAPI 3.1 document', content: { 'application/json': { schema: z.looseObject({ openapi: z.string() }) } } } },
        },
      },
    },
  });
}
