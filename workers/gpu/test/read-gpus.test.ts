// nvidia-smi through the process runner, with real processes standing in for it (no GPU here):
// small shell scripts that print a recorded fixture, hang, fail like a machine whose driver is
// not loaded, or are not there at all.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '@framesmith/core/config';
import { BinaryMissingError, ProcessCancelledError, ProcessError, ProcessTimeoutError } from '@framesmith/core/media/run-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGpuTelemetry } from '../src/gpu-telemetry.js';
import { probeCapabilities } from '../src/gpu-trials.js';
import { gpuReader, queryNvidiaSmi, readGpus, readGpusFromXmlFile, type NvidiaSmiOptions } from '../src/read-gpus.js';
import { fixture } from './gpu-fixtures.js';

let dir = '';
const fake = (name: string) => path.join(dir, name);
const hangPid = () => fake('hang.pid');

async function script(name: string, body: string): Promise<void> {
  await writeFile(fake(name), `#!/bin/sh\n${body}\n`);
  await chmod(fake(name), 0o755);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'framesmith-fake-nvidia-smi-'));
  // Answers only the arguments the worker must pass.
  await script('prints-two-l40s', `[ "$*" = "-q -x" ] || { echo "unexpected arguments: $*" >&2; exit 2; }\nexec cat '${fixture('two-l40s.xml')}'`);
  // exec: the pid written is the process the runner must kill (sleep inherits it).
  await script('hangs', `echo $$ > '${hangPid()}'\nexec sleep 600`);
  // What nvidia-smi does without a loaded driver: its reason on stdout, exit code 9.
  await script('no-driver', `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."\nexit 9`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = (nvidiaSmiPath: string, over: Partial<NvidiaSmiOptions> = {}): NvidiaSmiOptions => ({
  ...loadConfig({}).gpu,
  nvidiaSmiPath,
  ...over,
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid the hanging fake wrote, once it has started. */
async function startedHang(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const text = await readFile(hangPid(), 'utf8').catch(() => '');
    if (text.trim() !== '') return Number(text);
    await sleep(25);
  }
  throw new Error('the hanging fake nvidia-smi never started');
}

describe('readGpus (a real process in nvidia-smi\'s place)', () => {
  it('runs nvidia-smi -q -x and parses its stdout like the recorded file', async () => {
    const gpus = await readGpus(options(fake('prints-two-l40s')));
    expect(gpus).toEqual(await readGpusFromXmlFile(fixture('two-l40s.xml')));
    expect(gpus.map((g) => g.pciBusId)).toEqual(['00000000:4F:00.0', '00000000:D1:00.0']);
  });

  it('kills a hung nvidia-smi at its deadline', async () => {
    await rm(hangPid(), { force: true });
    const started = Date.now();
    await expect(readGpus(options(fake('hangs'), { nvidiaSmiTimeoutMs: 1_500 }))).rejects.toBeInstanceOf(ProcessTimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(alive(await startedHang())).toBe(false);
  });

  it('kills it when the caller cancels', async () => {
    await rm(hangPid(), { force: true });
    const abort = new AbortController();
    const reading = readGpus({ ...options(fake('hangs')), signal: abort.signal });
    const pid = await startedHang();
    expect(alive(pid)).toBe(true);
    abort.abort();
    await expect(reading).rejects.toBeInstanceOf(ProcessCancelledError);
    expect(alive(pid)).toBe(false);
  });

  it('says what nvidia-smi\'s exit code means, since its own reason goes to stdout', async () => {
    const err = await readGpus(options(fake('no-driver'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessError);
    expect((err as ProcessError).exitCode).toBe(9);
    expect((err as Error).message).toBe('no-driver exited with code 9: the NVIDIA driver is not loaded');
    // The probe records it as the reason there are no GPUs, and runs no trial.
    const caps = await probeCapabilities({
      ffmpegPath: fake('not-ffmpeg'),
      hwAccel: 'if-possible',
      trialTimeoutMs: 1_000,
      readGpus: (signal) => readGpus({ ...options(fake('no-driver')), signal }),
    });
    expect(caps).toMatchObject({ gpus: [], perGpu: [], gpuReadError: expect.stringContaining('the NVIDIA driver is not loaded') });
  });

  it('gives no GPUs where nvidia-smi is not installed; queryNvidiaSmi says so', async () => {
    await expect(readGpus(options(fake('not-installed')))).resolves.toEqual([]);
    await expect(queryNvidiaSmi(options(fake('not-installed')))).rejects.toBeInstanceOf(BinaryMissingError);
  });

  it('refuses output past the byte limit', async () => {
    await expect(readGpus(options(fake('prints-two-l40s'), { nvidiaSmiMaxOutputBytes: 4096 }))).rejects.toThrow(/wrote more than 4096 bytes/);
  });
});

describe('gpuReader', () => {
  it('reads NVIDIA_SMI_XML_FILE when set, else runs nvidia-smi', async () => {
    const gpu = options(fake('prints-two-l40s'));
    expect((await gpuReader({ nvidiaSmiXmlFile: fixture('l4.xml'), gpu })()).map((g) => g.name)).toEqual(['NVIDIA L4']);
    expect((await gpuReader({ nvidiaSmiXmlFile: null, gpu })()).map((g) => g.name)).toEqual(['NVIDIA L40S', 'NVIDIA L40S']);
  });

  it('lets the telemetry\'s stop() kill a hung nvidia-smi, reporting no error', async () => {
    await rm(hangPid(), { force: true });
    const errors: unknown[] = [];
    const telemetry = startGpuTelemetry({
      // A deadline far off, so only stop() can end the run within the test.
      readGpus: gpuReader({ nvidiaSmiXmlFile: null, gpu: options(fake('hangs'), { nvidiaSmiTimeoutMs: 30_000 }) }),
      intervalMs: 60_000,
      onError: (err) => errors.push(err),
    });
    const pid = await startedHang();
    const polling = telemetry.poll(); // the start-up poll, still in flight
    const stopped = Date.now();
    telemetry.stop();
    await polling;
    expect(Date.now() - stopped).toBeLessThan(10_000);
    expect(alive(pid)).toBe(false);
    expect(errors).toEqual([]);
  });
});
