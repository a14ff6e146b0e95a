import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmi, parseNvidiaSmiXml, type GpuInfo } from '../src/parse-nvidia-smi.js';
import { readGpusFromXmlFile } from '../src/read-gpus.js';
import { fixture, MiB } from './gpu-fixtures.js';

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

  it('takes xml2js objects directly (array for several GPUs)', () => {
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
