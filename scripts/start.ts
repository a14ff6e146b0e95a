// `npm start`: the whole stack with embedded defaults, a demo event, and a curl to paste.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createStorage } from '@framesmith/core/storage';
import path from 'node:path';
import { makeDemoVideo } from './stack/demo-media.js';
import { startStack } from './stack/start-stack.js';
import { DEV_API_KEY } from '@framesmith/core/config';

async function main() {
  // A person reads this terminal: one readable line per log entry, ours and the processes' (LOG_FORMAT=json for JSON lines).
  process.env.LOG_FORMAT ||= 'pretty';
  const stack = await startStack();
  const { config, apiKey, restUrl } = stack;
  const demoRel = 'demo/demo.mp4';
  // Made locally, then published like any output, so the folder and S3 modes work alike.
  const work = await mkdtemp(path.join(tmpdir(), 'framesmith-demo-'));
  const demoTmp = path.join(work, 'demo.mp4');
  await mkdir(work, { recursive: true });
  await makeDemoVideo(config.ffmpegPath, demoTmp);
  // The SDK reads credentials from the standard chain (here, this process's environment).
  if (stack.s3) Object.assign(process.env, { AWS_ACCESS_KEY_ID: stack.s3.accessKeyId, AWS_SECRET_ACCESS_KEY: stack.s3.secretAccessKey });
  const storage = createStorage(config);
  if (!(await storage.stat(demoRel))) await storage.putFile(demoRel, demoTmp);
  await rm(work, { recursive: true, force: true });
  const res = await fetch(`${restUrl}/api/event/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'API-KEY': apiKey },
    body: JSON.stringify({ title: 'Framesmith demo', vodFile: demoRel }),
  });
  const event = (await res.json()) as { id: string };
  const body = JSON.stringify({ eventId: event.id, name: 'Demo frame', time: '00:00:05.500' });
  // A configured key is a secret: only the public development key is ever printed.
  const shownKey = apiKey === DEV_API_KEY ? apiKey : '(from API_KEYS)';
  const curlKey = apiKey === DEV_API_KEY ? apiKey : '<a key from API_KEYS>';
  console.log(`
Framesmith is running.
  REST       ${restUrl}/api/
  gRPC       ${stack.grpcAddress}  (Connect and gRPC-Web also on ${restUrl})
  Temporal   ${stack.temporalAddress}${stack.temporalUiUrl ? `   UI ${stack.temporalUiUrl}` : ''}
  API key    ${shownKey}
  Data       ${config.dataDir}
  Storage    ${storage.description}${stack.s3 ? `   (S3 server ${stack.s3.endpoint}, access key ${stack.s3.accessKeyId})` : ''}

Make a JPEG from the demo event, then read it back:
  curl -s -X POST ${restUrl}/api/asset/image/ -H 'API-KEY: ${curlKey}' -H 'Content-Type: application/json' -d '${body}'
  curl -s ${restUrl}/api/asset/<id>/ -H 'API-KEY: ${curlKey}'

Ctrl-C stops everything.`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error('[start] failed:', err);
  process.exit(1);
});
