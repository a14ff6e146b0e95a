// A live HLS origin the test controls: a generated video (frameLuma-marked frames, 1 s GOPs)
// cut into 1 s segments, published on a clock. Segment i carries program date time t0 + i s
// and appears in the playlist when it has "finished" (at t0 + (i + 1) s), as an encoder with no
// latency would publish it; the playlist lists the last `window` segments, with no
// EXT-X-ENDLIST. The test can stall the stream (the playlist stops changing) or end it. The
// playlist is served over http and, with `storageFile`, also written to storage. Used by
// test/live-wait.test.ts and the bench's B11.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { makeHlsVod, makeTestVideo } from './demo-media.js';

export const LIVE_FPS = 25;
export const SEGMENT_MS = 1_000;

export interface LiveOrigin {
  /** The playlist over http. */
  url: string;
  /** Epoch ms of frame 0 (PDT of segment 0). */
  t0: number;
  /** Segments published so far. */
  published(): number;
  /** Epoch ms where the last published segment ends. */
  edgeMs(): number;
  /** Epoch ms at which segment i was (or will be) published. */
  publishedAtMs(i: number): number;
  /** The frame shown at `epochMs`. */
  frameAt(epochMs: number): number;
  /** Publishing stops; the playlist stays live (no ENDLIST). */
  stall(): void;
  close(): Promise<void>;
}

/** Makes (once) the segments of a `seconds`-long marked video under `dir`; returns their names and durations. */
export async function liveSegments(dir: string, seconds: number): Promise<{ uri: string; duration: number }[]> {
  const mp4 = path.join(dir, 'source.mp4');
  if (!existsSync(mp4)) {
    await mkdir(dir, { recursive: true });
    await makeTestVideo('ffmpeg', mp4, { seconds, fps: LIVE_FPS, width: 160, height: 90, gop: LIVE_FPS, audio: false });
  }
  // Stream copy: the 1 s GOPs make every segment exactly 1 s.
  const indexFile = await makeHlsVod(mp4, dir, { segmentSeconds: SEGMENT_MS / 1000, programDateTime: false });
  const index = await readFile(indexFile, 'utf8');
  const out: { uri: string; duration: number }[] = [];
  let duration = 0;
  for (const line of index.split('\n')) {
    if (line.startsWith('#EXTINF:')) duration = Number(line.slice(8).split(',')[0]);
    else if (line && !line.startsWith('#')) out.push({ uri: line.trim(), duration });
  }
  return out;
}

export async function startLiveOrigin(o: {
  dir: string;
  segments: { uri: string; duration: number }[];
  /** Segments already published when the origin starts. */
  startAt: number;
  /** How many segments the playlist lists. */
  window: number;
  /** Also write the playlist here (a live playlist on storage), next to the segments. */
  storageFile?: string;
}): Promise<LiveOrigin> {
  // On a whole second: an MP4's creation_time (a recording of the same stream) has no finer unit.
  const t0 = Math.floor((Date.now() - o.startAt * SEGMENT_MS) / 1000) * 1000;
  let stalledAt: number | null = null;
  const published = () => stalledAt ?? Math.min(o.segments.length, Math.floor((Date.now() - t0) / SEGMENT_MS));
  const playlist = () => {
    const n = published();
    const first = Math.max(0, n - o.window);
    const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:1', `#EXT-X-MEDIA-SEQUENCE:${first}`];
    for (let i = first; i < n; i++) {
      lines.push(`#EXTINF:${o.segments[i]!.duration.toFixed(6)},`, `#EXT-X-PROGRAM-DATE-TIME:${new Date(t0 + i * SEGMENT_MS).toISOString()}`, o.segments[i]!.uri);
    }
    return lines.join('\n') + '\n';
  };
  const server = http.createServer(async (req, res) => {
    const name = path.basename(new URL(req.url ?? '/', 'http://x').pathname);
    if (name.endsWith('.m3u8')) {
      res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-cache' }).end(playlist());
      return;
    }
    const i = o.segments.findIndex((s) => s.uri === name);
    // Not yet published: as a real origin, 404.
    if (i < 0 || i >= published()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'video/mp2t' }).end(await readFile(path.join(o.dir, name)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  let written = -1;
  const write = async () => {
    const n = published();
    if (!o.storageFile || n === written) return;
    written = n;
    // Replaced atomically, as a packager does: a reader never sees half a playlist.
    await writeFile(`${o.storageFile}.tmp`, playlist());
    await rename(`${o.storageFile}.tmp`, o.storageFile);
  };
  await write();
  const timer = setInterval(() => void write(), 50);
  return {
    url: `http://127.0.0.1:${port}/live.m3u8`,
    t0,
    published,
    edgeMs: () => t0 + published() * SEGMENT_MS,
    publishedAtMs: (i) => t0 + (i + 1) * SEGMENT_MS,
    frameAt: (ms) => Math.floor(((ms - t0) * LIVE_FPS) / 1000),
    stall() {
      stalledAt = published();
    },
    close: () =>
      new Promise<void>((r) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
