// Serves stored files under the public base when STORAGE_URL_PUBLIC points at the gateway.
// Public, like a CDN origin: asset URLs work without the API key.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '@framesmith/core/storage';
import { normaliseRelative } from '@framesmith/core/storage';

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

export async function serveContent(storage: Storage, rel: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let decoded: string | null;
  try {
    decoded = normaliseRelative(decodeURIComponent(rel));
  } catch {
    decoded = null;
  }
  const file = decoded && !decoded.split('/').some((s) => s.startsWith('.')) ? await storage.stat(decoded) : null;
  if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  const ext = file.path.split('.').pop()!.toLowerCase();
  res.writeHead(200, {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'content-length': file.size,
    'last-modified': new Date(file.mtimeMs).toUTCString(),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(await storage.read(file.path), res).catch(() => res.destroy());
}
