// Serves stored files under the public base when STORAGE_URL_PUBLIC points at the gateway.
// Public, like a CDN origin: asset URLs work without the API key (signed and expiring when
// CONTENT_SIGNING_SECRET is set). Only what the database says
// is an asset's finished file (and, when CONTENT_SERVE_VOD, an event's VOD file) is served:
// never any other file under storage. The folder backend never follows a link out of its root.
// On S3 the answer is a redirect to a short-lived presigned GET: the bytes (and range requests)
// go straight from the bucket, not through the gateway.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { checkContentSignature } from '@framesmith/core/domain/content-signature';
import { normaliseRelative, NotFoundError, type Storage } from '@framesmith/core/storage';

const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  png: 'image/png',
};

export interface ContentDeps {
  storage: Storage;
  /** Whether `path` may be served (an asset's file, or an allowed VOD file). */
  isServable(path: string): Promise<boolean>;
  /** CONTENT_SIGNING_SECRET: only signed, unexpired URLs are served. */
  signingSecret: string | null;
}

function notFound(res: ServerResponse) {
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
}

export async function serveContent(deps: ContentDeps, rel: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let decoded: string | null;
  try {
    decoded = normaliseRelative(decodeURIComponent(rel));
  } catch {
    decoded = null;
  }
  if (decoded && deps.signingSecret) {
    // Checked before the database is asked, so unsigned requests cost no query.
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    const problem = checkContentSignature(deps.signingSecret, decoded, query, Date.now());
    if (problem) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(`forbidden: ${problem} signature\n`);
      return;
    }
  }
  if (!decoded || decoded.split('/').some((s) => s.startsWith('.')) || (req.method !== 'GET' && req.method !== 'HEAD') || !(await deps.isServable(decoded))) {
    notFound(res);
    return;
  }
  const file = await deps.storage.stat(decoded);
  if (!file) {
    notFound(res);
    return;
  }
  const presigned = await deps.storage.presignedUrl(file.path);
  if (presigned) {
    res.writeHead(302, { location: presigned, 'cache-control': 'no-store' }).end();
    return;
  }
  const ext = file.path.split('.').pop()!.toLowerCase();
  let body;
  try {
    body = await deps.storage.read(file.path);
  } catch (err) {
    if (err instanceof NotFoundError) return notFound(res);
    throw err;
  }
  res.writeHead(200, {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'content-length': file.size,
    'last-modified': new Date(file.mtimeMs).toUTCString(),
  });
  if (req.method === 'HEAD') {
    body.destroy();
    res.end();
    return;
  }
  await pipeline(body, res).catch(() => res.destroy());
}
