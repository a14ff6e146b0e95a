import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessCancelledError, ProcessError, ProcessTimeoutError } from '@framesmith/core/media/run-process';
import { CPU_STRATEGY } from '../src/clip/video-strategy.js';
import { describe, expect, it } from 'vitest';
import {
  chooseStrategy,
  defaultConcurrencyPerGpu,
  HwAccelUnavailableError,
  parseNvidiaSmi,
  parseNvidiaSmiXml,
  probeCapabilities,
  readGpusFromXmlFile,
  trialArgs,
  trialClipArgs,
  type GpuCapabilities,
  type GpuInfo,
  type RunFn,
} from '../src/gpu-capabilities.js';

const fixture = (name: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', name);
const MiB = 1024 * 1024;

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

function caps(perGpu: GpuCapabilities['perGpu'], extra: Partial<GpuCapabilities> = {}): GpuCapabilities {
  return { gpus: [], perGpu, gpuReadError: null, probedAt: '2025-11-18T09:15:37.000Z', ...extra };
}

/** A fake process runner: each trial kind fails with the given stderr, or succeeds. */
function fakeRun(fail: { nvdec?: string; nvenc?: string; clip?: string }, calls: string[] = []): RunFn {
  return async (command, args) => {
    calls.push(args.join(' '));
    const kind = args.includes('h264_nvenc') ? 'nvenc' : args.includes('cuda') ? 'nvdec' : 'clip';
    const stderr = fail[kind];
    if (stderr !== undefined) {
      const last = stderr.trim().split('\n').pop() ?? '';
      throw new ProcessError(`${command} exited with code 1: ${last}`, command, 1, stderr);
    }
    return { stdout: Buffer.alloc(0), stderrTail: '' };
  };
}

describe('parseNvidiaSmiXml', () => {
  it('reads the H100 fixture: one <gpu> (an object, not an array), no encoder sessions', async () => {
    const gpus = await readGpusFromXmlFile(fixture('h100-80gb-hbm3.xml'));
    expect(gpus).toEqual<GpuInfo[]>([
      {
        index: 0,
        pciBusId: '00000000:18:00.0',
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-3f6a9c1e-7b42-d8a5-0c19-5e2b8d47a6f3',
        architecture: 'Hopper',
        driverVersion: '560.35.03',
        cudaVersion: '12.6',
        memoryTotalBytes: 81559 * MiB,
        memoryUsedBytes: 1 * MiB,
        utilization: 0,
        memoryUtilization: 0,
        encoderUtilization: 0,
        decoderUtilization: 0,
        encoderSessions: 0,
        encoderAverageFps: 0,
        temperatureC: 31,
        powerDrawWatts: 69.84,
        powerLimitWatts: 700,
        migEnabled: false,
      },
    ]);
  });

  it('reads the L4 fixture with two ffmpeg encodes running', async () => {
    const [l4] = await readGpusFromXmlFile(fixture('l4.xml'));
    expect(l4).toMatchObject({
      index: 0,
      name: 'NVIDIA L4',
      architecture: 'Ada Lovelace',
      memoryTotalBytes: 23034 * MiB,
      memoryUsedBytes: 1218 * MiB,
      utilization: 0.38,
      encoderUtilization: 0.27,
      decoderUtilization: 0.12,
      encoderSessions: 2,
      encoderAverageFps: 118,
      temperatureC: 58,
      powerLimitWatts: 72,
      // current_mig is N/A on a GPU without MIG.
      migEnabled: null,
    });
  });

  it('reads both GPUs of the two-L40S machine in nvidia-smi order, not minor-number order', async () => {
    const gpus = await readGpusFromXmlFile(fixture('two-l40s.xml'));
    expect(gpus.map((g) => [g.index, g.pciBusId, g.encoderSessions, g.utilization])).toEqual([
      [0, '00000000:4F:00.0', 3, 0.46],
      [1, '00000000:D1:00.0', 0, 0],
    ]);
    expect(gpus.every((g) => g.name === 'NVIDIA L40S' && g.memoryTotalBytes === 46068 * MiB)).toBe(true);
  });

  it('turns N/A values into null', async () => {
    const xml = (await readFile(fixture('l4.xml'), 'utf8'))
      .replace('<gpu_util>38 %</gpu_util>', '<gpu_util>N/A</gpu_util>')
      .replace('<encoder_util>27 %</encoder_util>', '<encoder_util>[N/A]</encoder_util>')
      .replace('<decoder_util>12 %</decoder_util>', '<decoder_util>N/A %</decoder_util>')
      .replace('<session_count>2</session_count>', '<session_count>N/A</session_count>')
      .replace('<gpu_temp>58 C</gpu_temp>', '<gpu_temp>N/A</gpu_temp>')
      .replace('<uuid>GPU-8d2e41b7-05c3-6a9f-e1d8-4b7c92f03a56</uuid>', '<uuid>N/A</uuid>');
    const [l4] = await parseNvidiaSmiXml(xml);
    expect(l4).toMatchObject({
      utilization: null,
      encoderUtilization: null,
      decoderUtilization: null,
      encoderSessions: null,
      temperatureC: null,
      uuid: null,
      memoryUsedBytes: 1218 * MiB,
    });
  });

  it('reads the older power_readings/power_limit layout (drivers before 530)', async () => {
    const [gpu] = await parseNvidiaSmiXml(`<?xml version="1.0" ?>
      <nvidia_smi_log><driver_version>470.256.02</driver_version><attached_gpus>1</attached_gpus>
      <gpu id="00000000:00:04.0"><product_name>Tesla T4</product_name>
      <fb_memory_usage><total>15109 MiB</total><used>0 MiB</used><free>15109 MiB</free></fb_memory_usage>
      <power_readings><power_draw>9.52 W</power_draw><power_limit>70.00 W</power_limit></power_readings>
      </gpu></nvidia_smi_log>`);
    expect(gpu).toMatchObject({ name: 'Tesla T4', powerDrawWatts: 9.52, powerLimitWatts: 70, memoryTotalBytes: 15109 * MiB, architecture: null, cudaVersion: null });
  });

  it('gives no GPUs for a machine with none attached, and refuses what is not nvidia-smi output', async () => {
    expect(await parseNvidiaSmiXml('<nvidia_smi_log><attached_gpus>0</attached_gpus></nvidia_smi_log>')).toEqual([]);
    expect(() => parseNvidiaSmi({ something: 'else' })).toThrow(/nvidia_smi_log/);
  });

  it('takes node-nvidia-smi objects directly (array for several GPUs)', () => {
    const gpus = parseNvidiaSmi({
      nvidia_smi_log: {
        driver_version: '550.127.05',
        gpu: [
          { $: { id: '00000000:01:00.0' }, product_name: 'NVIDIA L4', utilization: { gpu_util: '5 %' } },
          { $: { id: '00000000:02:00.0' }, product_name: 'NVIDIA L4', utilization: { gpu_util: '7 %' } },
        ],
      },
    });
    expect(gpus.map((g) => [g.index, g.pciBusId, g.utilization])).toEqual([
      [0, '00000000:01:00.0', 0.05],
      [1, '00000000:02:00.0', 0.07],
    ]);
  });
});

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

describe('chooseStrategy', () => {
  const h100 = caps([{ index: 0, nvdec: true, nvenc: false, nvencError: 'OpenEncodeSessionEx failed: unsupported device (2): (no details)' }]);
  const l4 = caps([{ index: 0, nvdec: true, nvenc: true }]);
  const none = caps([]);

  it('decodes on NVDEC and encodes with libx264 on an H100', () => {
    expect(chooseStrategy(h100, 'if-possible', 0)).toEqual({ name: 'nvdec-x264', decode: 'nvdec', encode: 'libx264', gpu: 0 });
    expect(chooseStrategy(h100, 'required', 0).name).toBe('nvdec-x264');
  });
  it('uses NVDEC and NVENC on an L4', () => {
    expect(chooseStrategy(l4, 'if-possible', 0)).toEqual({ name: 'nvdec-nvenc', decode: 'nvdec', encode: 'nvenc', gpu: 0 });
  });
  it('runs on the CPU without a GPU', () => {
    expect(chooseStrategy(none, 'if-possible', 0)).toEqual(CPU_STRATEGY);
  });
  it('runs on the CPU when a listed GPU failed its NVDEC trial, even if NVENC worked', () => {
    expect(chooseStrategy(caps([{ index: 0, nvdec: false, nvenc: true, nvdecError: 'x' }]), 'if-possible', 0)).toEqual(CPU_STRATEGY);
  });
  it('throws at start-up for HWACCEL=required without a working GPU, saying why', () => {
    expect(() => chooseStrategy(none, 'required', 0)).toThrow(HwAccelUnavailableError);
    expect(() => chooseStrategy(none, 'required', 0)).toThrow(/HWACCEL=required.*no GPU/);
    const broken = caps([{ index: 0, nvdec: false, nvenc: false, nvdecError: 'Cannot load libcuda.so.1', nvencError: 'Cannot load libcuda.so.1' }]);
    expect(() => chooseStrategy(broken, 'required', 0)).toThrow(/GPU 0: Cannot load libcuda\.so\.1/);
    expect(() => chooseStrategy(caps([], { gpuReadError: 'NVIDIA-SMI has failed' }), 'required', 0)).toThrow(/nvidia-smi failed: NVIDIA-SMI has failed/);
  });
  it('never touches the GPU with HWACCEL=disable', () => {
    expect(chooseStrategy(l4, 'disable', 0)).toEqual(CPU_STRATEGY);
  });
  it('pins each slot to one usable GPU, round-robin', () => {
    const three = caps([
      { index: 0, nvdec: true, nvenc: true },
      { index: 1, nvdec: false, nvenc: false, nvdecError: 'x', nvencError: 'x' },
      { index: 2, nvdec: true, nvenc: false, nvencError: 'x' },
    ]);
    expect([0, 1, 2, 3].map((slot) => chooseStrategy(three, 'if-possible', slot))).toEqual([
      { name: 'nvdec-nvenc', decode: 'nvdec', encode: 'nvenc', gpu: 0 },
      { name: 'nvdec-x264', decode: 'nvdec', encode: 'libx264', gpu: 2 },
      { name: 'nvdec-nvenc', decode: 'nvdec', encode: 'nvenc', gpu: 0 },
      { name: 'nvdec-x264', decode: 'nvdec', encode: 'libx264', gpu: 2 },
    ]);
    expect(chooseStrategy(three, 'if-possible', -1).gpu).toBe(2);
  });
});

describe('defaultConcurrencyPerGpu', () => {
  it('allows 3 jobs per NVENC GPU, shares the CPU encoder among NVDEC-only GPUs, 1 without a GPU', () => {
    expect(defaultConcurrencyPerGpu(caps([{ index: 0, nvdec: true, nvenc: true }]), 16)).toBe(3);
    expect(defaultConcurrencyPerGpu(caps([{ index: 0, nvdec: true, nvenc: false }]), 16)).toBe(4);
    expect(
      defaultConcurrencyPerGpu(
        caps([
          { index: 0, nvdec: true, nvenc: false },
          { index: 1, nvdec: true, nvenc: false },
        ]),
        16,
      ),
    ).toBe(2);
    expect(defaultConcurrencyPerGpu(caps([{ index: 0, nvdec: true, nvenc: false }]), 2)).toBe(1);
    expect(defaultConcurrencyPerGpu(caps([]), 64)).toBe(1);
  });
});

describe('probeCapabilities (injected nvidia-smi and ffmpeg)', () => {
  const fromFixture = (name: string) => () => readGpusFromXmlFile(fixture(name));

  it('finds NVDEC but no NVENC on an H100, keeping ffmpeg\'s reason', async () => {
    const calls: string[] = [];
    const result = await probeCapabilities({
      ffmpegPath: 'ffmpeg',
      hwAccel: 'if-possible',
      readGpus: fromFixture('h100-80gb-hbm3.xml'),
      run: fakeRun({ nvenc: HOPPER_NVENC_STDERR }, calls),
    });
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
    const l4 = await probeCapabilities({ ffmpegPath: 'ffmpeg', hwAccel: 'if-possible', readGpus: fromFixture('l4.xml'), run: fakeRun({}) });
    expect(l4.perGpu).toEqual([{ index: 0, nvdec: true, nvenc: true }]);
    expect(chooseStrategy(l4, 'required', 0).name).toBe('nvdec-nvenc');

    const calls: string[] = [];
    const two = await probeCapabilities({ ffmpegPath: 'ffmpeg', hwAccel: 'if-possible', readGpus: fromFixture('two-l40s.xml'), run: fakeRun({}, calls) });
    expect(two.perGpu.map((g) => [g.index, g.nvdec, g.nvenc])).toEqual([
      [0, true, true],
      [1, true, true],
    ]);
    expect(calls.filter((c) => c.includes('-gpu 1') || c.includes('-hwaccel_device 1'))).toHaveLength(2);
    expect([0, 1].map((slot) => chooseStrategy(two, 'if-possible', slot).gpu)).toEqual([0, 1]);
  });

  it('trusts the trials over nvidia-smi: a listed GPU whose driver libraries are missing is not used', async () => {
    const result = await probeCapabilities({
      ffmpegPath: 'ffmpeg',
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
      ffmpegPath: 'ffmpeg',
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
    const result = await probeCapabilities({ ffmpegPath: 'ffmpeg', hwAccel: 'if-possible', readGpus: fromFixture('l4.xml'), run });
    expect(result.perGpu[0]).toMatchObject({ nvenc: false, nvencError: 'ffmpeg ran past its 30000 ms deadline' });
  });

  it('rethrows cancellation instead of recording it as a failed trial', async () => {
    const run: RunFn = async (command) => {
      throw new ProcessCancelledError(`${command} was cancelled`, command, null, '');
    };
    await expect(probeCapabilities({ ffmpegPath: 'ffmpeg', hwAccel: 'if-possible', readGpus: fromFixture('l4.xml'), run })).rejects.toBeInstanceOf(
      ProcessCancelledError,
    );
  });

  it('runs nothing with HWACCEL=disable', async () => {
    const calls: string[] = [];
    let read = 0;
    const result = await probeCapabilities({
      ffmpegPath: 'ffmpeg',
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
      ffmpegPath: 'ffmpeg',
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
