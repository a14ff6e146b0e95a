import { ProcessCancelledError, ProcessError, ProcessTimeoutError } from '@framesmith/core/media/run-process';
import { describe, expect, it } from 'vitest';
import { CPU_STRATEGY } from '../src/clip/video-strategy.js';
import { chooseStrategy } from '../src/choose-strategy.js';
import { probeCapabilities, trialArgs, trialClipArgs, type RunFn } from '../src/gpu-trials.js';
import { readGpusFromXmlFile } from '../src/read-gpus.js';
import { fixture } from './gpu-fixtures.js';

// What ffmpeg 5.1 prints when NVENC cannot open (the strings are in Debian's libavcodec59):
// an H100 has no NVENC engine, so the session is refused for the device.
const HOPPER_NVENC_STDERR = [
  '[h264_nvenc @ 0x55d0c3f0a2c0] OpenEncodeSessionEx failed: unsupported device (2): (no details)',
  '[h264_nvenc @ 0x55d0c3f0a2c0] No capable devices found',
  'Error initializing output stream 0:0 -- Error while opening encoder for output stream #0:0 - maybe incorrect parameters such as bit_rate, rate, width or height',
  '',
].join('\n');
const NO_DRIVER_NVDEC_STDERR = [
  '[AVHWDeviceContext @ 0x55c24c20b200] Cannot load libcuda.so.1',
  '[AVHWDeviceContext @ 0x55c24c20b200] Could not dynamically load CUDA',
  'Device creation failed: -1.',
  '[h264 @ 0x55c24c1ed740] No device available for decoder: device type cuda needed for codec h264.',
  'Device setup failed for decoder on input stream #0:0 : Operation not permitted',
  '',
].join('\n');

// Not the default: shows the configured deadline reaches every trial.
const TRIAL_MS = 1_234;

/** A fake process runner: each trial kind fails with the given stderr, or succeeds. */
function fakeRun(fail: { nvdec?: string; nvenc?: string; clip?: string }, calls: string[] = [], deadlines: number[] = []): RunFn {
  return async (command, args, opts) => {
    calls.push(args.join(' '));
    deadlines.push(opts.timeoutMs);
    const kind = args.includes('h264_nvenc') ? 'nvenc' : args.includes('cuda') ? 'nvdec' : 'clip';
    const stderr = fail[kind];
    if (stderr !== undefined) {
      const last = stderr.trim().split('\n').pop() ?? '';
      throw new ProcessError(`${command} exited with code 1: ${last}`, command, 1, stderr);
    }
    return { stdout: Buffer.alloc(0), stderrTail: '' };
  };
}

describe('trialArgs', () => {
  it('decodes the trial clip on NVDEC with the decoder options jobs use', () => {
    expect(trialArgs('nvdec', 1, '/tmp/p/trial.mp4').join(' ')).toBe(
      '-nostdin -hide_banner -v error -hwaccel cuda -hwaccel_device 1 -i /tmp/p/trial.mp4 -map 0:v:0 -f null -',
    );
  });
  it('encodes one second of testsrc2 on NVENC with the encoder options jobs use', () => {
    expect(trialArgs('nvenc', 0).join(' ')).toBe(
      '-nostdin -hide_banner -v error -f lavfi -i testsrc2=size=256x144:rate=30 -t 1 ' +
        '-c:v h264_nvenc -gpu 0 -preset p4 -rc vbr -cq 19 -b:v 0 -f null -',
    );
  });
  it('makes the trial clip with libx264', () => {
    expect(trialClipArgs('/tmp/p/trial.mp4').join(' ')).toBe(
      '-nostdin -hide_banner -v error -y -f lavfi -i testsrc2=size=256x144:rate=30 -t 1 -c:v libx264 -preset veryfast -pix_fmt yuv420p /tmp/p/trial.mp4',
    );
  });
});

describe('probeCapabilities (injected nvidia-smi and ffmpeg)', () => {
  const fromFixture = (name: string) => () => readGpusFromXmlFile(fixture(name));

  it('finds NVDEC but no NVENC on an H100, keeping ffmpeg\'s reason', async () => {
    const calls: string[] = [];
    const deadlines: number[] = [];
    const result = await probeCapabilities({
      ffmpegPath: 'ffmpeg', trialTimeoutMs: TRIAL_MS,
      hwAccel: 'if-possible',
      readGpus: fromFixture('h100-80gb-hbm3.xml'),
      run: fakeRun({ nvenc: HOPPER_NVENC_STDERR }, calls, deadlines),
    });
    expect(deadlines).toEqual([TRIAL_MS, TRIAL_MS, TRIAL_MS]);
    expect(result.gpus).toHaveLength(1);
    expect(result.perGpu).toEqual([
      {
        index: 0,
        nvdec: true,
        nvenc: false,
        nvencError:
          '[h264_nvenc] OpenEncodeSessionEx failed: unsupported device (2): (no details); [h264_nvenc] No capable devices found; ' +
          'Error initializing output stream 0:0 -- Error while opening encoder for output stream #0:0 - maybe incorrect parameters such as bit_rate, rate, width or height',
      },
    ]);
    expect(Number.isNaN(Date.parse(result.probedAt))).toBe(false);
    // The clip is made first, then decoded on the GPU, then the encoder is tried.
    expect(calls.map((c) => (c.includes('libx264') ? 'clip' : c.includes('h264_nvenc') ? 'nvenc' : 'nvdec'))).toEqual(['clip', 'nvdec', 'nvenc']);
    expect(chooseStrategy(result, 'if-possible', 0).name).toBe('nvdec-x264');
  });

  it('finds both on an L4 and on each GPU of a two-GPU machine', async () => {
    const l4 = await probeCapabilities({ ffmpegPath: 'ffmpeg', trialTimeoutMs: TRIAL_MS, hwAccel: 'if-possible', readGpus: fromFixture('l4.xml'), run: fakeRun({}) });
    expect(l4.perGpu).toEqual([{ index: 0, nvdec: true, nvenc: true }]);
    expect(chooseStrategy(l4, 'required', 0).name).toBe('nvdec-nvenc');

    const calls: string[] = [];
    const two = await probeCapabilities({ ffmpegPath: 'ffmpeg', trialTimeoutMs: TRIAL_MS, hwAccel: 'if-possible', readGpus: fromFixture('two-l40s.xml'), run: fakeRun({}, calls) });
    expect(two.perGpu.map((g) => [g.index, g.nvdec, g.nvenc])).toEqual([
      [0, true, true],
      [1, true, true],
    ]);
    expect(calls.filter((c) => c.includes('-gpu 1') || c.includes('-hwaccel_device 1'))).toHaveLength(2);
    expect([0, 1].map((slot) => chooseStrategy(two, 'if-possible', slot).gpu)).toEqual([0, 1]);
  });

  it('trusts the trials over nvidia-smi: a listed GPU whose driver libraries are missing is not used', async () => {
    const result = await probeCapabilities({
      ffmpegPath: 'ffmpeg', trialTimeoutMs: TRIAL_MS,
      hwAccel: 'if-possible',
      readGpus: fromFixture('l4.xml'),
      run: fakeRun({ nvdec: NO_DRIVER_NVDEC_STDERR, nvenc: '[h264_nvenc @ 0x5608700f9300] Cannot load libcuda.so.1\n' }),
    });
    expect(result.perGpu[0]).toMatchObject({ nvdec: false, nvenc: false, nvencError: '[h264_nvenc] Cannot load libcuda.so.1' });
    expect(result.perGpu[0]!.nvdecError).toContain('Device setup failed for decoder');
    expect(chooseStrategy(result, 'if-possible', 0)).toEqual(CPU_STRATEGY);
    expect(() => chooseStrategy(result, 'required', 0)).toThrow(/GPU 0: .*Device setup failed/);
  });

  it('reports a trial clip that could not be made as the NVDEC failure', async () => {
    const result = await probeCapabilities({
      ffmpegPath: 'ffmpeg', trialTimeoutMs: TRIAL_MS,
      hwAccel: 'if-possible',
      readGpus: fromFixture('l4.xml'),
      run: fakeRun({ clip: "Unknown encoder 'libx264'\n" }),
    });
    expect(result.perGpu[0]).toEqual({ index: 0, nvdec: false, nvenc: true, nvdecError: "could not make the trial clip: Unknown encoder 'libx264'" });
  });

  it('says when a trial hung', async () => {
    const run: RunFn = async (command, args) => {
      if (args.includes('h264_nvenc')) throw new ProcessTimeoutError(`${command} ran past its 30000 ms deadline`, command, null, '');
      return { stdout: Buffer.alloc(0), stderrTail: '' };
    };
    const result = await probeCapabilities({ ffmpegPath: 'ffmpeg', trialTimeoutMs: TRIAL_MS, hwAccel: 'if-possible', readGpus: fromFixture('l4.xml'), run });
    expect(result.perGpu[0]).toMatchObject({ nvenc: false, nvencError: 'ffmpeg ran past its 30000 ms deadline' });
  });

  it('rethrows cancellation instead of recording it as a failed trial', async () => {
    const run: RunFn = async (command) => {
      throw new ProcessCancelledError(`${command} was cancelled`, command, null, '');
    };
    await expect(probeCapabilities({ ffmpegPath: 'ffmpeg', trialTimeoutMs: TRIAL_MS, hwAccel: 'if-possible', readGpus: fromFixture('l4.xml'), run })).rejects.toBeInstanceOf(
      ProcessCancelledError,
    );
  });

  it('runs nothing with HWACCEL=disable', async () => {
    const calls: string[] = [];
    let read = 0;
    const result = await probeCapabilities({
      ffmpegPath: 'ffmpeg', trialTimeoutMs: TRIAL_MS,
      hwAccel: 'disable',
      readGpus: async () => {
        read++;
        return [];
      },
      run: fakeRun({}, calls),
    });
    expect([read, calls.length, result.gpus, result.perGpu]).toEqual([0, 0, [], []]);
    expect(chooseStrategy(result, 'disable', 0)).toEqual(CPU_STRATEGY);
  });

  it('records an nvidia-smi failure and runs no trial', async () => {
    const calls: string[] = [];
    const result = await probeCapabilities({
      ffmpegPath: 'ffmpeg', trialTimeoutMs: TRIAL_MS,
      hwAccel: 'if-possible',
      readGpus: async () => {
        throw new Error("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.");
      },
      run: fakeRun({}, calls),
    });
    expect(result).toMatchObject({ gpus: [], perGpu: [], gpuReadError: expect.stringContaining("couldn't communicate") });
    expect(calls).toEqual([]);
  });
});
