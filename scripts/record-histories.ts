// Records one history of each workflow shape into test/fixtures/histories/ for the replay
// test, from a fresh stack: image completed, image failed (bad media), image cancelled,
// GIF, video (keyframe copy and frame-accurate), sync, and an image with a completion webhook
// (the asset workflow starting its delivery, and the delivery retried once). Rerun after
// changing workflows on purpose; the replay test then guards against accidental
// non-determinism. RECORD_ONLY=name,name writes only those files.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { runProcess } from '@framesmith/core/media/run-process';
import { freePort } from './stack/free-port.js';
import { makeTestVideo } from './stack/demo-media.js';
import { startStack } from './stack/start-stack.js';

const OUT = path.resolve(import.meta.dirname, '../test/fixtures/histories');

async function main() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'framesmith-record-'));
  // The webhook receiver answers 500 once, then 200, so the delivery's history holds a retry.
  let hooks = 0;
  const receiver = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(hooks++ === 0 ? 500 : 200).end()));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const callbackUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  const stack = await startStack({
    env: { DATA_DIR: dataDir, PORT: String(await freePort()), WEBHOOK_SIGNING_SECRET: 'record', WEBHOOK_RETRY_INITIAL_MS: '200', OUTBOUND_ALLOW: '127.0.0.1/32' },
    log: false,
  });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const call = async (method: string, route: string, body?: unknown) => {
    const r = await fetch(stack.restUrl + route, { method, headers: { 'API-KEY': stack.apiKey, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await r.json()) as any;
  };
  try {
    await mkdir(path.join(stack.config.storageRoot, 'rec'), { recursive: true });
    await makeTestVideo('ffmpeg', path.join(stack.config.storageRoot, 'rec/vod.mp4'), { seconds: 8, fps: 25, width: 320, height: 180, gop: 50, audio: true });
    await writeFile(path.join(stack.config.storageRoot, 'rec/bad.mp4'), Buffer.alloc(2048, 3));
    const ev = await call('POST', '/api/event/', { title: 'rec', vodFile: 'rec/vod.mp4' });
    const bad = await call('POST', '/api/event/', { title: 'bad', vodFile: 'rec/bad.mp4' });
    const jobs: Record<string, string> = {
      'image-completed': (await call('POST', '/api/asset/image/', { eventId: ev.id, name: 'img', time: '00:00:02' })).jobId,
      'image-failed': (await call('POST', '/api/asset/image/', { eventId: bad.id, name: 'bad', time: '00:00:01' })).jobId,
      'gif-completed': (await call('POST', '/api/asset/gif/', { clip: { eventId: ev.id, start: '00:00:01', end: '00:00:02' }, name: 'gif', fps: 10 })).jobId,
      'video-keyframe': (await call('POST', '/api/asset/video/', { clip: { eventId: ev.id, start: '00:00:01', end: '00:00:05' }, name: 'kf' })).jobId,
      'video-frame-accurate': (await call('POST', '/api/asset/video/', { clip: { eventId: ev.id, start: '00:00:01.130', end: '00:00:05.410' }, name: 'fa', frameAccurate: true })).jobId,
    };
    const cancelled = await call('POST', '/api/asset/video/', { clip: { eventId: ev.id, start: '00:00:00', end: '00:00:08' }, name: 'cancel me', frameAccurate: true });
    await call('DELETE', `/api/asset/${cancelled.id}`);
    jobs['video-cancelled'] = cancelled.jobId;
    await call('PUT', `/api/asset/sync/${ev.id}`);
    jobs['sync'] = `sync-${ev.id}`;
    const hooked = await call('POST', '/api/asset/image/', { eventId: ev.id, name: 'hooked', time: '00:00:03', callbackUrl });
    jobs['image-webhook'] = hooked.jobId;
    jobs['webhook-delivered'] = `webhook-${hooked.id}`;
    const only = process.env.RECORD_ONLY ? new Set(process.env.RECORD_ONLY.split(',')) : null;
    await mkdir(OUT, { recursive: true });
    for (const [name, workflowId] of Object.entries(jobs)) {
      if (only && !only.has(name)) continue;
      const handle = client.workflow.getHandle(workflowId);
      await handle.result().catch(() => undefined);
      // The CLI writes the same proto JSON the Web UI exports, which historyFromJSON reads.
      const { stdout } = await runProcess(
        process.env.TEMPORAL_CLI ?? 'temporal',
        ['workflow', 'show', '--workflow-id', workflowId, '--address', stack.temporalAddress, '--output', 'json'],
        { timeoutMs: 30_000 },
      );
      await writeFile(path.join(OUT, `${name}.json`), JSON.stringify(JSON.parse(stdout.toString()), null, 1) + '\n');
      console.log(`recorded ${name} (${(JSON.parse(stdout.toString()).events ?? []).length} events)`);
    }
  } finally {
    await connection.close();
    await stack.stop();
    receiver.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
