// A loopback HTTP origin for HLS sources whose behaviour the test controls: segments that
// stall until released (to hold a worker slot or a process), and playlists that fail once.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { makeHlsVod } from '../../scripts/stack/demo-media.js';

export interface HlsOrigin {
  url(pathname: string): string;
  /** Requests seen, by path. */
  requests: string[];
  /** Segments under /stall/<key>/ wait until release(key). */
  release(key: string): void;
  /** How many requests are waiting under /stall/<key>/. */
  waiting(key: string): number;
  close(): Promise<void>;
}

/** Makes a small HLS rendition (2 s segments) of `mp4` into `dir`. */
export async function makeHls(mp4: string, dir: string): Promise<void> {
  await makeHlsVod(mp4, dir, { segmentSeconds: 2, programDateTime: false });
}

/**
 * Paths: /plain/<file>, /stall/<key>/<file> (segments wait for release), /flaky/<key>/<file>
 * (the first playlist request answers 503). Files come from `dir`.
 */
export async function startHlsOrigin(dir: string): Promise<HlsOrigin> {
  const released = new Set<string>();
  const waiters = new Map<string, (() => void)[]>();
  const failedOnce = new Set<string>();
  const requests: string[] = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname);
    const parts = url.pathname.split('/').filter(Boolean);
    const mode = parts[0];
    const file = parts[parts.length - 1] ?? '';
    const key = mode === 'plain' ? '' : (parts[1] ?? '');
    if (mode === 'flaky' && file.endsWith('.m3u8') && !failedOnce.has(key)) {
      failedOnce.add(key);
      res.writeHead(503).end('try later');
      return;
    }
    if (mode === 'stall' && file.endsWith('.ts') && !released.has(key)) {
      await new Promise<void>((resolve) => {
        const list = waiters.get(key) ?? [];
        list.push(resolve);
        waiters.set(key, list);
        req.once('close', resolve);
      });
      if (res.destroyed || req.destroyed) return;
    }
    try {
      const body = await readFile(path.join(dir, path.basename(file)));
      res.writeHead(200, { 'content-type': file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    requests,
    release(key) {
      released.add(key);
      for (const w of waiters.get(key) ?? []) w();
      waiters.delete(key);
    },
    waiting: (key) => waiters.get(key)?.length ?? 0,
    close: () =>
      new Promise<void>((r) => {
        for (const list of waiters.values()) for (const w of list) w();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** PIDs of processes whose command line contains `needle`. */
export async function pidsMatching(needle: string): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const out: number[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(needle) && !cmd.includes('vitest')) out.push(Number(d));
  }
  return out;
}

export async function parentPid(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** A stalling origin serving an HLS rendition of a generated stack video, for a test file. */
export async function startStackHlsOrigin(vodRel: string): Promise<{ origin: HlsOrigin; close(): Promise<void> }> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { stack } = await import('./api.js');
  const dir = await mkdtemp(path.join(tmpdir(), 'framesmith-hls-'));
  await makeHls(path.join(stack().storageRoot, vodRel), dir);
  const origin = await startHlsOrigin(dir);
  return {
    origin,
    async close() {
      await origin.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An IMAGE request on a new event whose source is `origin`'s `pathname`. */
export async function imageFromOrigin(origin: HlsOrigin, pathname: string, name: string, priority?: number) {
  const { api } = await import('./api.js');
  const ev = await api('POST', '/api/event/', { title: `url ${pathname}`, sourceUrl: origin.url(pathname) });
  if (ev.status !== 200) throw new Error(`event: ${ev.status} ${JSON.stringify(ev.body)}`);
  const r = await api('POST', '/api/asset/image/', { eventId: ev.body.id, name, time: '00:00:01', ...(priority ? { priority } : {}) });
  if (r.status !== 200) throw new Error(`image: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string; jobId: string; path: string };
}

/**
 * Fills every slot of the stack's CPU worker (CPU_CONCURRENCY=2 in the test stack) with jobs
 * whose source stalls, so the next job can only go to a worker the test starts. `release`
 * lets them finish and waits until they are COMPLETED.
 */
export async function holdStackCpuWorker(origin: HlsOrigin, key: string) {
  const { waitForAsset } = await import('./api.js');
  const keys = [`${key}A`, `${key}B`];
  const holds: Awaited<ReturnType<typeof imageFromOrigin>>[] = [];
  for (const k of keys) holds.push(await imageFromOrigin(origin, `/stall/${k}/index.m3u8`, `hold ${k}`));
  await until(() => keys.every((k) => origin.waiting(k) > 0), 30_000, 'the stack worker busy');
  return {
    holds,
    async release(): Promise<string[]> {
      for (const k of keys) origin.release(k);
      return Promise.all(holds.map(async (h) => (await waitForAsset(h.id)).stateString as string));
    },
  };
}
