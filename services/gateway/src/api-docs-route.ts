// The API reference page at /api/docs: Swagger UI (swagger-ui-dist, Apache-2.0, maintained by
// SmartBear, renders OpenAPI 3.1) over the gateway's own /api/openapi.json. Everything the page
// loads is served here from node_modules, so it works offline and behind a firewall; the
// Content-Security-Policy makes the browser refuse anything from elsewhere, so a renderer
// update that starts fetching fonts or telemetry shows up as a failing test (test/api-docs.test.ts)
// rather than as a page that silently phones out. Public, like /api/openapi.json: reading the
// contract needs no API key (trying a call from the page does).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, toErrorBody } from '@framesmith/core/errors';
import { OPENAPI_PATH } from './api-schema/openapi.js';

export const API_DOCS_PATH = '/api/docs';
const SPEC_PATH = OPENAPI_PATH;

const distDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

// Only these files, by name: nothing else under node_modules is reachable through this route.
const DIST_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Framesmith API reference</title>
  <link rel="icon" type="image/png" href="${API_DOCS_PATH}/favicon-32x32.png">
  <link rel="stylesheet" href="${API_DOCS_PATH}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${API_DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${API_DOCS_PATH}/init.js"></script>
</body>
</html>
`;

// A file rather than an inline script, so the policy needs no 'unsafe-inline' for scripts.
// validatorUrl null: by default Swagger UI sends the document to validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(SPEC_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  persistAuthorization: false,
});
`;

// Swagger UI sets inline styles and uses data: URIs for its icons; nothing leaves 'self'.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const fileCache = new Map<string, Promise<Buffer>>();

export function isApiDocsPath(pathname: string): boolean {
  return pathname === API_DOCS_PATH || pathname.startsWith(API_DOCS_PATH + '/');
}

function send(req: IncomingMessage, res: ServerResponse, type: string, body: Buffer | string, cache: string) {
  res.writeHead(200, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': cache,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendError(res: ServerResponse, err: ApiError) {
  const { status, body } = toErrorBody(err);
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function serveApiDocs(pathname: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendError(res, new ApiError('MethodNotAllowed', `Unable to ${req.method} ${pathname} because the route does not accept that method`));
  }
  const rest = pathname.slice(API_DOCS_PATH.length).replace(/^\/+/, '');
  // The page itself is small and names no version: always revalidated, so an upgrade shows at once.
  if (rest === '' || rest === 'index.html') return send(req, res, 'text/html; charset=utf-8', PAGE, 'no-cache');
  if (rest === 'init.js') return send(req, res, 'text/javascript; charset=utf-8', INIT, 'no-cache');
  const type = DIST_FILES[rest];
  if (!type) return sendError(res, new ApiError('RouteNotFound', `Unable to find route ${req.method} ${pathname}`));
  let file = fileCache.get(rest);
  if (!file) {
    file = readFile(path.join(distDir, rest));
    fileCache.set(rest, file);
    file.catch(() => fileCache.delete(rest));
  }
  send(req, res, type, await file, 'public, max-age=3600');
}
