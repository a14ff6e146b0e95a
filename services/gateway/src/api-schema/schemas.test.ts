import { describe, expect, it } from 'vitest';
import { loadConfig } from '@framesmith/core/config';
import { ApiError, toErrorBody } from '@framesmith/core/errors';
import { assetRequestSchemas, deleteAssetsQuery, listAssetsQuery, pageQuery, renameRequest } from './asset-requests.js';
import { createEventRequest, createVuflowRequest, eventPath, syncPath, updateEventRequest } from './event-requests.js';
import { createOpenApiDocument } from './openapi.js';
import { fieldName, parseBody } from './parse.js';

const limits = loadConfig({}).limits;
const { image, gif, video } = assetRequestSchemas(limits);
const EVENT = '6F9619FF-8B86-D011-B42D-00C04FC964FF';

/** The contract's body for what `fn` refuses. */
function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return toErrorBody(err).body;
  }
  throw new Error('expected a refusal');
}

describe('asset requests', () => {
  it('normalise an image request: lower-cased GUID, parsed time, defaults', () => {
    expect(parseBody(image, { eventId: EVENT, name: 'Goal', time: '00:00:05.250' })).toMatchObject({
      eventId: EVENT.toLowerCase(),
      filename: null,
      name: 'Goal',
      priority: 5,
      time: { kind: 'offset', seconds: 5.25 },
    });
  });

  it('apply the GIF defaults and round dimensions', () => {
    const r = parseBody(gif, { clip: { eventId: EVENT, start: '00:00:01', end: '00:00:03' }, name: 'g', width: 99.6, reverse: 1 });
    expect(r).toMatchObject({ eventId: EVENT.toLowerCase(), fps: 18, width: 100, height: null, playbackRepeats: 0, reverse: true, playbackSpeed: 1, priority: 5 });
    expect(r.start).toEqual({ kind: 'offset', seconds: 1 });
  });

  it('keep the contract wording and name the field', () => {
    expect(refusal(() => parseBody(image, { eventId: EVENT, time: '00:00:01' }))).toEqual({
      exceptionType: 'ValidationErrorException',
      exceptionMessage: 'Unable to process the request because name is required and must be a non-empty string',
      errorType: 'ValidationError',
      data: { field: 'name' },
    });
    expect(refusal(() => parseBody(image, [])).exceptionMessage).toBe('Unable to process the request because body must be a JSON object');
    expect(refusal(() => parseBody(image, { eventId: 'nope', name: 'n', time: '00:00:01' })).data).toEqual({ field: 'eventId' });
    expect(refusal(() => parseBody(image, { eventId: EVENT, name: 'n', time: 'soon' })).exceptionMessage).toBe(
      'Unable to process the request because time must be HH:mm:ss.fff or an ISO8601 instant, got "soon"',
    );
    expect(refusal(() => parseBody(image, { eventId: EVENT, name: 'x'.repeat(257), time: '00:00:01' })).exceptionMessage).toMatch(/name must be at most 256 characters$/);
    expect(refusal(() => parseBody(image, { eventId: EVENT, name: '   ', time: '00:00:01' })).data).toEqual({ field: 'name' });
  });

  it('take ranges from the configured limits and report them in data', () => {
    const fps = refusal(() => parseBody(gif, { clip: { eventId: EVENT, start: '00:00:01', end: '00:00:02' }, name: 'g', fps: limits.maxFps + 1 }));
    expect(fps.exceptionMessage).toBe(`Unable to process the request because fps must be between ${limits.minFps} and ${limits.maxFps}`);
    expect(fps.data).toEqual({ field: 'fps', min: limits.minFps, max: limits.maxFps });
    expect(refusal(() => parseBody(gif, { clip: { eventId: EVENT, start: '00:00:01', end: '00:00:02' }, name: 'g', fps: 2.5 })).exceptionMessage).toMatch(/fps must be an integer$/);
    const narrow = assetRequestSchemas({ ...limits, maxFps: 10 }).gif;
    expect(refusal(() => parseBody(narrow, { clip: { eventId: EVENT, start: '00:00:01', end: '00:00:02' }, name: 'g', fps: 11 })).data).toMatchObject({ max: 10 });
  });

  it('check the clip: kinds, order and length, on clip.end', () => {
    const clip = (start: string, end: string) => refusal(() => parseBody(video, { clip: { eventId: EVENT, start, end }, name: 'v' }));
    expect(clip('00:00:05', '00:00:01').exceptionMessage).toMatch(/clip.end must be after clip.start$/);
    expect(clip('00:00:01', '2024-01-01T00:00:00Z').data).toEqual({ field: 'clip.end' });
    expect(clip('00:00:00', `00:${String(limits.maxClipSeconds / 60 + 1).padStart(2, '0')}:00`).data).toEqual({ field: 'clip.end', maxSeconds: limits.maxClipSeconds });
    expect(refusal(() => parseBody(video, { name: 'v' })).exceptionMessage).toMatch(/clip must be a JSON object$/);
    expect(refusal(() => parseBody(video, { clip: { eventId: EVENT, start: '00:00:01', end: '00:00:02', filter: 'type==' }, name: 'v' })).data).toEqual({ field: 'clip.filter' });
    expect(parseBody(video, { clip: { eventId: EVENT, start: '00:00:01', end: '00:00:02', filter: ' ' }, name: 'v' }).filter).toBeNull();
  });

  it('check file names against the kind', () => {
    expect(refusal(() => parseBody(image, { eventId: EVENT, name: 'n', time: '00:00:01', filename: '../x' })).data).toEqual({ field: 'filename' });
  });

  it('parse queries: filters, enum lists, pages, noCache', () => {
    expect(parseBody(listAssetsQuery, { eventId: EVENT, states: 'completed,0', extensions: 'gif, ,_sprite.jpg', pageIndex: '2', noCache: 'TRUE' })).toEqual({
      filter: { eventId: EVENT.toLowerCase(), contentId: null, jobId: null, name: null, states: [1, 0], types: null, extensions: ['gif', '_sprite.jpg'] },
      pageIndex: 2,
      noCache: true,
    });
    expect(parseBody(listAssetsQuery, {}).noCache).toBe(false);
    expect(refusal(() => parseBody(listAssetsQuery, { types: 'MOVIE' })).exceptionMessage).toMatch(/types has an unknown value "MOVIE"; use SYSTEM, IMAGE, VIDEO, GIF or their numbers$/);
    expect(refusal(() => parseBody(listAssetsQuery, { noCache: 'yes' })).data).toEqual({ field: 'noCache' });
    expect(refusal(() => parseBody(pageQuery, { pageIndex: '-1' })).exceptionMessage).toMatch(/pageIndex must be a whole number from 0$/);
    expect(parseBody(deleteAssetsQuery, { jobId: 'gif-1', extensions: 'gif' })).toMatchObject({ jobId: 'gif-1', extensions: null });
  });

  it('name path parameters as the contract did', () => {
    expect(refusal(() => parseBody(renameRequest, { id: 'x', name: 'n' })).exceptionMessage).toMatch(/the asset id must be a GUID$/);
    expect(refusal(() => parseBody(renameRequest, { id: EVENT })).exceptionMessage).toMatch(/because name is required$/);
    expect(refusal(() => parseBody(eventPath, { id: 'x' })).exceptionMessage).toMatch(/the event id must be a GUID$/);
    expect(refusal(() => parseBody(syncPath, { eventId: 'x' })).data).toEqual({ field: 'eventId' });
  });
});

describe('event and vuflow requests', () => {
  it('normalise an event: vodFile inside storage, sourceUrl http(s), one of them required', () => {
    expect(parseBody(createEventRequest, { title: 't', vodFile: 'a/./b.mp4' })).toMatchObject({ vodFile: 'a/b.mp4', sourceUrl: null, contentId: null });
    expect(refusal(() => parseBody(createEventRequest, { title: 't', vodFile: '../b.mp4' })).data).toEqual({ field: 'vodFile' });
    expect(refusal(() => parseBody(createEventRequest, { title: 't', sourceUrl: 'ftp://h/x' })).exceptionMessage).toMatch(/sourceUrl must use http or https$/);
    expect(refusal(() => parseBody(createEventRequest, { title: 't', sourceUrl: 'http://u:p@h/x' })).exceptionMessage).toMatch(/must not carry credentials$/);
    expect(refusal(() => parseBody(createEventRequest, { title: 't' })).exceptionMessage).toMatch(/an event needs vodFile or sourceUrl$/);
  });

  it('leave absent or null fields of a PATCH unchanged, but refuse an empty title', () => {
    expect(parseBody(updateEventRequest, { refId: null, externalId: 'x' })).toEqual({ externalId: 'x' });
    expect(refusal(() => parseBody(updateEventRequest, { title: '' })).data).toEqual({ field: 'title' });
  });

  it('read a vuflow configuration as an object or JSON text, with the text rule inside', () => {
    const ok = { storageUrlPublic: 'https://cdn.example/x', extra: 1 };
    expect(parseBody(createVuflowRequest, { name: 'cdn', configurationJson: JSON.stringify(ok) }).configurationJson).toEqual(ok);
    expect(refusal(() => parseBody(createVuflowRequest, { name: 'cdn', configurationJson: '{' })).exceptionMessage).toMatch(/configurationJson must be JSON$/);
    expect(refusal(() => parseBody(createVuflowRequest, { name: 'cdn', configurationJson: { storageUrlPublic: 'file:///x' } })).data).toEqual({
      field: 'configurationJson.storageUrlPublic',
    });
    expect(refusal(() => parseBody(createVuflowRequest, { name: 'cdn', configurationJson: '{"storageUrlPublic":"https://c/x","k":"\\u0000"}' }))).toMatchObject({
      exceptionMessage: 'Unable to read configurationJson.k because it contains a control character',
      data: { field: 'configurationJson.k' },
    });
  });

  it('name fields by their path', () => {
    expect(fieldName(['clip', 'eventId'])).toBe('clip.eventId');
    expect(fieldName(['filter', 'extensions', 1])).toBe('filter.extensions[1]');
    expect(fieldName([])).toBe('body');
  });
});

describe('the OpenAPI document', () => {
  const doc = createOpenApiDocument(limits);
  const schemas = doc.components!.schemas! as Record<string, { properties: Record<string, any>; required?: string[] }>;

  it('is OpenAPI 3.1 with every REST route and the API key schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths!).flatMap(([p, item]) => Object.keys(item!).map((m) => `${m.toUpperCase()} ${p}`));
    expect(ops.sort()).toEqual(
      [
        'POST /api/asset/image', 'POST /api/asset/gif', 'POST /api/asset/video', 'PUT /api/asset/sync/{eventId}', 'GET /api/asset', 'DELETE /api/asset',
        'GET /api/asset/{id}', 'PUT /api/asset/{id}', 'DELETE /api/asset/{id}', 'POST /api/event', 'GET /api/event', 'GET /api/event/{id}',
        'PATCH /api/event/{id}', 'DELETE /api/event/{id}', 'POST /api/vuflow', 'GET /api/vuflow', 'GET /api/openapi.json',
      ].sort(),
    );
    expect(doc.components!.securitySchemes).toMatchObject({ ApiKey: { type: 'apiKey', in: 'header', name: 'API-KEY' }, XAuthKey: { name: 'X-Auth-Key' } });
    expect(doc.paths!['/api/openapi.json']!.get!.security).toEqual([]);
  });

  it('states the configured limits and the error shape', () => {
    const fps = schemas.CreateGifRequest!.properties.fps.anyOf[0];
    expect(fps).toMatchObject({ type: 'integer', minimum: limits.minFps, maximum: limits.maxFps });
    expect(schemas.CreateGifRequest!.required).toEqual(['clip', 'name']);
    expect(schemas.Error!.required).toEqual(['exceptionType', 'exceptionMessage', 'errorType', 'data']);
    expect(schemas.Error!.properties.errorType.enum).toContain('ValidationError');
    const createImage = doc.paths!['/api/asset/image']!.post!;
    expect(createImage.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'Idempotency-Key' }));
    expect(Object.keys(createImage.responses!)).toEqual(expect.arrayContaining(['200', '400', '401', '422', '503']));
  });
});
