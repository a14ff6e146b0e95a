// Supervision in the dev stack: a CPU worker SIGKILLed in the middle of a GIF is restarted by
// the launcher, the restarted worker removes the frames (tmpfs) and scratch the dead one left,
// Temporal retries the job after its heartbeat timeout and the GIF completes; stop() then
// leaves no process. A small stack of its own (gateway, orchestrator, workers) on the shared
// PostgreSQL and Temporal, with task queues of its own so the shared workers never take its jobs.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestVideo } from '../scripts/stack/demo-media.js';
import { freePort } from '../scripts/stack/free-port.js';
import { type Stack, startStack } from '../scripts/stack/start-stack.js';
import { parentPid, pidsMatching, until } from './support/hls-server.js';

let stack: Stack | null = null;
let dataDir = '';
const logs: string[] = [];
const seenPids = new Set<number>();

async function call(method: string, route: string, body?: unknown) {
  const res = await fetch(`${stack!.restUrl}${route}`, {
    method,
    headers: { 'API-KEY': stack!.apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** Entries in `dir` whose name starts with `prefix`. */
const entries = async (dir: string, prefix: string) => (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix));
/** GIF frame folders: tmpfs where it is usable, else the temp folder (make-gif.ts). */
const frameFolders = async (prefix: string) => [...(await entries('/dev/shm', prefix)), ...(await entries(tmpdir(), prefix))];
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'framesmith-supervision-'));
  const queue = `supervision-${path.basename(dataDir).slice(-6)}`;
  stack = await startStack({
    env: {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      // Its own PostgreSQL and Temporal: a gateway on the shared database would rewrite the
      // default vuflow's public URL to its own port, and its reconciler would see the shared
      // stack's rows (seen: later tests' asset URLs pointed at this stack's stopped gateway).
      TASK_QUEUE_ORCHESTRATION: `${queue}-orchestration`,
      TASK_QUEUE_CPU: `${queue}-cpu`,
      TASK_QUEUE_GPU: `${queue}-gpu`,
      CPU_CONCURRENCY: '1',
    },
    log: (line) => {
      logs.push(line);
      if (logs.length > 2000) logs.shift();
    },
  });
  for (const c of stack.children.keys()) seenPids.add(c.pid!);
  await mkdir(path.join(stack.config.storageRoot, 'supervision'), { recursive: true });
  await makeTestVideo('ffmpeg', path.join(stack.config.storageRoot, 'supervision/vod.mp4'), { seconds: 20, fps: 25, width: 640, height: 360, gop: 50, audio: false, crf: 23 });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('supervision', () => {
  it('restarts a SIGKILLed CPU worker, which sweeps the dead one’s scratch; the GIF completes; stop() leaves nothing', async () => {
    const s = stack!;
    const ev = await call('POST', '/api/event/', { title: 'supervision', vodFile: 'supervision/vod.mp4' });
    expect(ev.status, JSON.stringify(ev.body)).toBe(200);
    // 300 frames at 640 px: gifski runs for seconds, with the frames in tmpfs and its output in scratch.
    const gif = await call('POST', '/api/asset/gif/', { name: 'supervised', fps: 25, width: 640, clip: { eventId: ev.body.id, start: '00:00:00', end: '00:00:12' } });
    expect(gif.status, JSON.stringify(gif.body)).toBe(200);

    const victim = s.pidOf('worker-cpu')!;
    let gifski = 0;
    await until(async () => {
      for (const pid of await pidsMatching('gifski')) if ((await parentPid(pid)) === victim) gifski = pid;
      return gifski !== 0;
    }, 90_000, 'gifski running under the CPU worker');
    s.children.forEach((c, child) => c === 'worker-cpu' && child.pid === victim && child.kill('SIGKILL'));
    const framePrefix = `framesmith-gif-${victim}-`;
    const scratchDir = path.join(s.config.storageRoot, '.scratch');
    expect(await frameFolders(framePrefix)).toHaveLength(1);
    expect(await entries(scratchDir, `${victim}-`)).toHaveLength(1);
    expect((await call('GET', `/api/asset/${gif.body.id}/`)).body.stateString).toBe('GENERATING');

    // The launcher starts another worker; before it polls, it removes what the dead one left.
    await until(() => (s.pidOf('worker-cpu') ?? victim) !== victim, 15_000, 'a new CPU worker');
    const restarted = s.pidOf('worker-cpu')!;
    seenPids.add(restarted);
    expect(logs.join('\n')).toMatch(new RegExp(`worker-cpu \\(pid ${victim}\\) was killed by SIGKILL; restarting in 0\\.5 s`));
    await until(() => fetch(`http://127.0.0.1:${s.metricsPorts['worker-cpu']}/readyz`).then((r) => r.ok, () => false), 90_000, 'the new worker polling');
    expect(await frameFolders(framePrefix)).toEqual([]);
    expect(await entries(scratchDir, `${victim}-`)).toEqual([]);
    // The orphaned gifski has nothing left to write into; end it if it still runs.
    if (isAlive(gifski)) process.kill(gifski, 'SIGKILL');

    // Temporal gives the job to the new worker once the dead one's heartbeat times out (20 s).
    const deadline = Date.now() + 150_000;
    let done = (await call('GET', `/api/asset/${gif.body.id}/`)).body;
    while (done.stateString === 'GENERATING' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      done = (await call('GET', `/api/asset/${gif.body.id}/`)).body;
    }
    expect(done.stateString, done.failureReason).toBe('COMPLETED');
    expect(await frameFolders(`framesmith-gif-${restarted}-`)).toEqual([]);

    const before = logs.length;
    const stopping = s.stop();
    stack = null;
    await stopping;
    await new Promise((r) => setTimeout(r, 1500)); // longer than the first restart delay
    expect(logs.slice(before).join('\n')).not.toMatch(/restart/);
    expect([...seenPids].filter(isAlive)).toEqual([]);
  }, 300_000);
});
