// The REST /api adapter: routing, auth, body parsing and the error shape. Every rule of the
// contract is in AssetService; this file only translates HTTP to calls and back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, toErrorBody, validation } from '@framesmith/core/errors';
import type { AssetService } from '../service/asset-service.js';
import { parsePageIndex } from '../service/asset-requests.js';
import { queryBool } from '../service/parse-input.js';

type Handler = (ctx: { params: string[]; query: URLSearchParams; body: () => Promise<unknown> }) => Promise<unknown>;
interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const SEG = '([^/]+)';

export function buildRoutes(svc: AssetService): Route[] {
  const r = (method: string, path: string, handler: Handler): Route => ({
    method,
    // Trailing slash optional on every route, as the seed shows some with and some without.
    pattern: new RegExp(`^/api${path.replaceAll(':id', SEG)}/?$`),
    handler,
  });
  return [
    r('POST', '/asset/gif', async ({ body }) => svc.createGif(await body())),
    r('POST', '/asset/video', async ({ body }) => svc.createVideo(await body())),
    r('POST', '/asset/image', async ({ body }) => svc.createImage(await body())),
    r('PUT', '/asset/sync/:id', async ({ params }) => svc.syncAssets(params[0]!)),
    r('PUT', '/asset/:id', async ({ params, query }) => svc.renameAsset(params[0]!, query.get('name') ?? query.get('Name'))),
    r('GET', '/asset', async ({ query }) => {
      queryBool(query, 'noCache');
      return svc.listAssets(query);
    }),
    r('GET', '/asset/:id', async ({ params, query }) => {
      queryBool(query, 'noCache');
      return svc.getAsset(params[0]!);
    }),
    r('DELETE', '/asset', async ({ query }) => svc.deleteAssets(query)),
    r('DELETE', '/asset/:id', async ({ params }) => svc.deleteAsset(params[0]!)),
    r('POST', '/event', async ({ body }) => svc.createEvent(await body())),
    r('GET', '/event', async ({ query }) => svc.listEvents(parsePageIndex(query))),
    r('GET', '/event/:id', async ({ params }) => svc.getEvent(params[0]!)),
    r('PATCH', '/event/:id', async ({ params, body }) => svc.updateEvent(params[0]!, await body())),
    r('DELETE', '/event/:id', async ({ params }) => svc.deleteEvent(params[0]!)),
    r('POST', '/vuflow', async ({ body }) => svc.createVuflow(await body())),
    r('GET', '/vuflow', async () => svc.listVuflows()),
  ];
}

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
      reject(new ApiError('PayloadTooLarge', `Unable to read the request because the body is larger than ${maxBytes} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(new ApiError('PayloadTooLarge', `Unable to read the request because the body is larger than ${maxBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return reject(validation('Unable to read the request because the body is empty; a JSON object is required'));
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(validation('Unable to read the request because the body is not valid JSON'));
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

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createRestHandler(svc: AssetService, opts: { apiKeys: Set<string>; maxBodyBytes: number; onError?: (err: unknown) => void }) {
  const routes = buildRoutes(svc);
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      const key = req.headers['api-key'] || req.headers['x-auth-key'];
      if (typeof key !== 'string' || !opts.apiKeys.has(key)) {
        throw new ApiError('Unauthorized', 'Unable to authorise the request because the API-KEY or X-Auth-Key header is missing or unknown');
      }
      let pathMatched = false;
      for (const route of routes) {
        const m = route.pattern.exec(url.pathname);
        if (!m) continue;
        pathMatched = true;
        if (route.method !== req.method) continue;
        const params = m.slice(1).map(decodeSegment);
        const result = await route.handler({ params, query: url.searchParams, body: () => readJsonBody(req, opts.maxBodyBytes) });
        sendJson(res, 200, result);
        return;
      }
      if (pathMatched) throw new ApiError('MethodNotAllowed', `Unable to ${req.method} ${url.pathname} because the route does not accept that method`);
      throw new ApiError('RouteNotFound', `Unable to find route ${req.method} ${url.pathname}`);
    } catch (err) {
      const { status, body } = toErrorBody(err);
      if (status >= 500) opts.onError?.(err);
      if (!res.headersSent) sendJson(res, status, body);
      else res.destroy();
    }
  };
}
