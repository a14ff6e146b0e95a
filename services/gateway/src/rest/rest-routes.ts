// The REST /api adapter: routing, auth, body parsing and the error shape. Every rule of the
// contract is in AssetService; this file only translates HTTP to calls and back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, toErrorBody, validation } from '@framesmith/core/errors';
import type { AssetService } from '../service/asset-service.js';
import { noteRoute } from '../http-observer.js';
import { assetPath, assetRequestSchemas, deleteAssetsQuery, listAssetsQuery, noCacheQuery, pageQuery, renameRequest } from '../api-schema/asset-requests.js';
import { createOpenApiDocument, isOpenApiPath } from '../api-schema/openapi.js';
import { createEventRequest, createVuflowRequest, eventPath, syncPath, updateEventRequest } from '../api-schema/event-requests.js';
import { parseBody, parseRequest } from '../api-schema/parse.js';
import { checkQuery, checkStrings, checkText } from '../service/parse-input.js';
import { idempotencyKeyOf } from '../service/idempotent-create.js';
import { createApiKeyCheck } from '../auth/api-key.js';

type Query = Record<string, string>;
/** `apiKey`: the caller's checked key (auth/api-key.ts). */
type Handler = (ctx: { params: Record<string, string>; query: Query; headers: IncomingMessage['headers']; apiKey: string; body: () => Promise<unknown> }) => Promise<unknown>;
interface Route {
  method: string;
  /** The path's template (`/asset/:id`): the request metrics' route label, never the raw path. */
  template: string;
  pattern: RegExp;
  /** The path parameters' names, for errors that name the field. */
  paramNames: string[];
  handler: Handler;
}

const SEG = '([^/]+)';

/** A query as the schemas read it: the first value of each name, as URLSearchParams.get gives. */
function queryRecord(q: URLSearchParams): Query {
  const out: Query = {};
  for (const [k, v] of q) if (!(k in out)) out[k] = v;
  return out;
}

export function buildRoutes(svc: AssetService): Route[] {
  const r = (method: string, path: string, handler: Handler): Route => ({
    method,
    // Trailing slash optional on every route, as the seed shows some with and some without.
    pattern: new RegExp(`^/api${path.replaceAll(/:\w+/g, SEG)}/?$`),
    paramNames: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!),
    handler,
    template: path,
  });
  const assets = assetRequestSchemas(svc.limits);
  const assetId = (params: Record<string, string>) => parseBody(assetPath, params).id;
  const eventId = (params: Record<string, string>) => parseBody(eventPath, params).id;
  return [
    r('POST', '/asset/gif', async ({ body, headers, apiKey }) => svc.createGif(parseBody(assets.gif, await body()), idempotencyKeyOf(headers['idempotency-key'], apiKey))),
    r('POST', '/asset/video', async ({ body, headers, apiKey }) => svc.createVideo(parseBody(assets.video, await body()), idempotencyKeyOf(headers['idempotency-key'], apiKey))),
    r('POST', '/asset/image', async ({ body, headers, apiKey }) => svc.createImage(parseBody(assets.image, await body()), idempotencyKeyOf(headers['idempotency-key'], apiKey))),
    r('PUT', '/asset/sync/:eventId', async ({ params }) => svc.syncAssets(parseBody(syncPath, params).eventId)),
    r('PUT', '/asset/:id', async ({ params, query }) => svc.renameAsset(parseBody(renameRequest, { id: params.id, name: query.name ?? query.Name }))),
    r('GET', '/asset', async ({ query }) => svc.listAssets(parseBody(listAssetsQuery, query))),
    r('GET', '/asset/:id', async ({ params, query }) => {
      const { noCache } = parseBody(noCacheQuery, query);
      return svc.getAsset(assetId(params), { noCache });
    }),
    r('DELETE', '/asset', async ({ query }) => svc.deleteAssets(parseBody(deleteAssetsQuery, query))),
    r('DELETE', '/asset/:id', async ({ params }) => svc.deleteAsset(assetId(params))),
    r('POST', '/event', async ({ body }) => svc.createEvent(parseBody(createEventRequest, await body()))),
    r('GET', '/event', async ({ query }) => svc.listEvents(parseBody(pageQuery, query).pageIndex)),
    r('GET', '/event/:id', async ({ params }) => svc.getEvent(eventId(params))),
    r('PATCH', '/event/:id', async ({ params, body }) => {
      const id = eventId(params);
      return svc.updateEvent(id, parseBody(updateEventRequest, await body()));
    }),
    r('DELETE', '/event/:id', async ({ params }) => svc.deleteEvent(eventId(params))),
    r('POST', '/vuflow', async ({ body }) => svc.createVuflow(parseBody(createVuflowRequest, await body()))),
    r('GET', '/vuflow', async () => svc.listVuflows()),
  ];
}

const tooLarge = (maxBytes: number) => new ApiError('PayloadTooLarge', `Unable to read the request because the body is larger than ${maxBytes} bytes`);

/**
 * Reads a JSON body of at most `maxBytes`, declared (Content-Length) or counted (chunked).
 * Past the limit nothing more is kept, but the socket is not destroyed: the 413 must reach
 * the client first (see `sendJsonBeforeBody`).
 */
function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (type && !/^application\/(.+\+)?json\b/i.test(type)) {
      reject(new ApiError('UnsupportedMediaType', 'Unable to read the request because the body must be application/json'));
      req.resume();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      reject(tooLarge(maxBytes));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size > maxBytes) return; // already refused: discard until the connection closes
      size += c.length;
      if (size > maxBytes) {
        chunks.length = 0;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size > maxBytes) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return reject(validation('Unable to read the request because the body is empty; a JSON object is required'));
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return reject(validation('Unable to read the request because the body is not valid JSON'));
      }
      try {
        checkStrings(body);
        resolve(body);
      } catch (err) {
        reject(err);
      }
    });
  });
}

function decodeSegment(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    throw validation(`Unable to read the path segment ${JSON.stringify(p)} because it is not valid percent-encoding`);
  }
}

// A frozen body cannot change, so its bytes are made once: the read cache (read-cache.ts)
// hands the same frozen asset or list page to every reader, and a page of 100 is ~50 KB of JSON.
const serialized = new WeakMap<object, Buffer>();

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  const frozen = typeof body === 'object' && body !== null && Object.isFrozen(body);
  let bytes = frozen ? serialized.get(body) : undefined;
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(body), 'utf8');
    if (frozen) serialized.set(body, bytes);
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
  res.end(bytes);
}

/**
 * Replies before the request body was read (too large, or refused before reading it). The
 * whole reply goes out at once, but the connection closes only once the client has finished
 * sending, or after `lingerMs` (config timeouts.refusedBodyLingerMs): closing a socket with unread input makes the kernel send a
 * reset, which can destroy the reply before the client reads it. What still arrives is
 * discarded, so memory stays flat.
 */
function sendJsonBeforeBody(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, lingerMs: number) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.write(text);
  const finish = () => {
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(finish, lingerMs);
  req.once('end', finish).once('close', finish).resume();
  if (req.complete) finish();
}

export function createRestHandler(svc: AssetService, opts: { apiKeys: Iterable<string>; maxBodyBytes: number; lingerMs: number; onError?: (err: unknown) => void }) {
  const routes = buildRoutes(svc);
  const checkApiKey = createApiKeyCheck(opts.apiKeys);
  // Built once: the document depends only on the configured limits.
  const openapi = JSON.stringify(createOpenApiDocument(svc.limits));
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      // The API's description is public, so clients and generators can fetch it without a key.
      if (isOpenApiPath(url.pathname) && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(openapi) });
        res.end(req.method === 'HEAD' ? undefined : openapi);
        return;
      }
      const apiKey = checkApiKey((name) => {
        const v = req.headers[name];
        return typeof v === 'string' ? v : null;
      });
      let pathMatched = false;
      for (const route of routes) {
        const m = route.pattern.exec(url.pathname);
        if (!m) continue;
        pathMatched = true;
        if (route.method !== req.method) continue;
        noteRoute(req, `${route.method} /api${route.template}`);
        const params = Object.fromEntries(m.slice(1).map((p, i) => [route.paramNames[i]!, checkText(decodeSegment(p), route.paramNames[i]!)]));
        checkQuery(url.searchParams);
        const result = await route.handler({ params, query: queryRecord(url.searchParams), headers: req.headers, apiKey, body: () => readJsonBody(req, opts.maxBodyBytes) });
        sendJson(res, 200, result);
        return;
      }
      if (pathMatched) throw new ApiError('MethodNotAllowed', `Unable to ${req.method} ${url.pathname} because the route does not accept that method`);
      throw new ApiError('RouteNotFound', `Unable to find route ${req.method} ${url.pathname}`);
    } catch (err) {
      const { status, body } = toErrorBody(err);
      if (status >= 500) opts.onError?.(err);
      if (res.headersSent) res.destroy();
      else if (req.complete) sendJson(res, status, body);
      else sendJsonBeforeBody(req, res, status, body, opts.lingerMs);
    }
  };
}
