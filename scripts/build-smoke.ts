// Runs the compiled processes as the images do (`node --conditions=framesmith-dist
// <ws>/dist/main.js`, after `npm run build`) against PostgreSQL and Temporal from the dev
// stack, then checks: the gateway answers /healthz and /readyz, every worker is ready, the
// orchestrator ran from the prebuilt workflow bundle (it did not bundle at start-up, and it
// does not start without the bundle), and a JPEG and a clip of a generated video complete
// end to end through the compiled gateway, workflows and workers.
//   npm run build:smoke   (npm run build, then this through scripts/bootstrap.mjs)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createStorage } from '@framesmith/core/storage';
import { makeDemoVideo } from './stack/demo-media.js';
import { freePort, waitForHttp } from './stack/free-port.js';
import { startStack } from './stack/start-stack.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const ENTRIES = {
  gateway: 'services/gateway/dist/main.js',
  orchestrator: 'services/orchestrator/dist/main.js',
  'worker-cpu': 'workers/cpu/dist/main.js',
  'worker-gpu': 'workers/gpu/dist/main.js',
} as const;
type Name = keyof typeof ENTRIES;
const BUNDLE = path.join(ROOT, 'services/orchestrator/dist/workflow-bundle.js');

for (const entry of [...Object.values(ENTRIES), path.relative(ROOT, BUNDLE)]) {
  if (!existsSync(path.join(ROOT, entry))) throw new Error(`${entry} is missing: run npm run build first`);
}

// Its own data folder and ports, so it runs beside a dev stack or the tests.
const dataDir = await mkdtemp(path.join(tmpdir(), 'framesmith-build-smoke-data-'));
const stack = await startStack({ components: [], log: false, env: { DATA_DIR: dataDir, PORT: String(await freePort()) } });
const children: ChildProcess[] = [];
const output: Record<string, string> = {};

function startCompiled(name: Name, metricsPort: number): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=framesmith-dist', ENTRIES[name]], {
    cwd: ROOT,
    env: { ...stack.env, METRICS_PORT: String(metricsPort), LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  output[name] = '';
  for (const s of [child.stdout, child.stderr]) s?.on('data', (c: Buffer) => (output[name] += c.toString()));
  children.push(child);
  return child;
}

/** The stack's readiness poll (scripts/stack/free-port.ts), with the process's output on failure. */
async function waitOk(url: string, child: ChildProcess, name: string): Promise<void> {
  await waitForHttp(url, 180_000, () => child.exitCode === null).catch((err: Error) => {
    throw new Error(`${name} (exit ${child.exitCode}): ${err.message}:\n${output[name]?.slice(-3000)}`);
  });
}

function say(msg: string) {
  console.log(`[build-smoke] ${msg}`);
}

try {
  // The orchestrator refuses to start without its bundle: the compiled worker reads that file.
  await rename(BUNDLE, `${BUNDLE}.away`);
  try {
    const lone = startCompiled('orchestrator', await freePort());
    const code = await new Promise<number | null>((resolve) => lone.on('exit', resolve));
    if (code === 0 || !output.orchestrator?.includes('workflow-bundle.js')) throw new Error(`without the bundle the orchestrator should fail naming it (exit ${code}):\n${output.orchestrator}`);
    say(`without dist/workflow-bundle.js the compiled orchestrator exits ${code}, naming the file`);
  } finally {
    await rename(`${BUNDLE}.away`, BUNDLE);
  }

  const gateway = startCompiled('gateway', await freePort());
  await waitOk(`${stack.restUrl}/healthz`, gateway, 'gateway');
  say(`gateway (dist) answers ${stack.restUrl}/healthz`);
  for (const name of ['orchestrator', 'worker-cpu', 'worker-gpu'] as const) {
    const port = await freePort();
    const child = startCompiled(name, port);
    const started = Date.now();
    await waitOk(`http://127.0.0.1:${port}/readyz`, child, name);
    say(`${name} (dist) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  // Ready once the orchestration queue has a poller (services/gateway/src/readiness.ts).
  await waitOk(`${stack.restUrl}/readyz`, gateway, 'gateway');
  say('gateway (dist) answers /readyz');
  // With workflowsPath the SDK logs webpack's work ("Workflow bundle created"); with the prebuilt bundle it has none to do.
  if (/Workflow bundle created|webpack/i.test(output.orchestrator ?? '')) throw new Error(`the compiled orchestrator bundled its workflows at start-up:\n${output.orchestrator}`);
  say('the orchestrator loaded the prebuilt bundle (no bundling at start-up)');

  const work = await mkdtemp(path.join(tmpdir(), 'framesmith-build-smoke-'));
  const video = path.join(work, 'demo.mp4');
  await makeDemoVideo(stack.config.ffmpegPath, video);
  await createStorage(stack.config).putFile('smoke/demo.mp4', video);
  await rm(work, { recursive: true, force: true });
  const api = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(`${stack.restUrl}${p}`, { method, headers: { 'content-type': 'application/json', 'API-KEY': stack.apiKey }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await r.json()) as Record<string, unknown>;
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  const event = await api('POST', '/api/event/', { title: 'build smoke', vodFile: 'smoke/demo.mp4' });
  const assets = [
    await api('POST', '/api/asset/image/', { eventId: event.id, name: 'smoke frame', time: '00:00:05.500' }),
    await api('POST', '/api/asset/video/', { name: 'smoke clip', clip: { eventId: event.id, start: '00:00:02', end: '00:00:04' } }),
  ];
  for (const a of assets) {
    const deadline = Date.now() + 180_000;
    let state: unknown;
    while ((state = (await api('GET', `/api/asset/${String(a.id)}/`)).stateString) === 'GENERATING') {
      if (Date.now() > deadline) throw new Error(`asset ${String(a.id)} still ${String(state)} after 180 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
    if (state !== 'COMPLETED') throw new Error(`asset ${String(a.id)} ended ${String(state)}`);
    say(`${String(a.name)} asset ${String(a.id)} COMPLETED through the compiled processes`);
  }
  // The bundle's workflow interceptors carry the request's transaction id to the activities
  // (lib/worker-kit/src/transaction-workflow-interceptors.ts): without them the workers' lines have none.
  const lines = (output['worker-cpu'] ?? '').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; txn?: string });
  const done = lines.filter((l) => l.msg === 'activity completed');
  if (!done.length || !done.every((l) => typeof l.txn === 'string' && l.txn.length > 0)) throw new Error(`the CPU worker's activity lines carry no transaction id:\n${JSON.stringify(done)}`);
  say(`the CPU worker's ${done.length} 'activity completed' lines carry the request's transaction id (workflow interceptors in the bundle)`);
  say('ok');
} finally {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null)));
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
