import { loadConfig } from '@framesmith/core/config';
import { registry } from '@framesmith/core/ops/metrics';
import { describe, expect, it } from 'vitest';
import { startGpuTelemetry, updateGpuCapabilityMetrics, updateGpuMetrics } from '../src/gpu-telemetry.js';
import type { GpuInfo } from '../src/parse-nvidia-smi.js';
import { gpuReader, readGpusFromXmlFile } from '../src/read-gpus.js';
import { fixture } from './gpu-fixtures.js';

/** The sample lines of one metric, without HELP/TYPE. */
async function samples(name: string): Promise<string[]> {
  const text = await registry.getSingleMetricAsString(name);
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('GPU gauges', () => {
  it('show every figure of both GPUs of the two-L40S fixture', async () => {
    updateGpuMetrics(await readGpusFromXmlFile(fixture('two-l40s.xml')));
    expect(await samples('framesmith_gpu_utilization_ratio')).toEqual([
      'framesmith_gpu_utilization_ratio{gpu="0"} 0.46',
      'framesmith_gpu_utilization_ratio{gpu="1"} 0',
    ]);
    expect(await samples('framesmith_gpu_encoder_utilization_ratio')).toEqual([
      'framesmith_gpu_encoder_utilization_ratio{gpu="0"} 0.61',
      'framesmith_gpu_encoder_utilization_ratio{gpu="1"} 0',
    ]);
    expect(await samples('framesmith_gpu_decoder_utilization_ratio')).toEqual([
      'framesmith_gpu_decoder_utilization_ratio{gpu="0"} 0.19',
      'framesmith_gpu_decoder_utilization_ratio{gpu="1"} 0',
    ]);
    expect(await samples('framesmith_gpu_encoder_sessions')).toEqual([
      'framesmith_gpu_encoder_sessions{gpu="0"} 3',
      'framesmith_gpu_encoder_sessions{gpu="1"} 0',
    ]);
    expect(await samples('framesmith_gpu_memory_used_bytes')).toEqual([
      `framesmith_gpu_memory_used_bytes{gpu="0"} ${1847 * 1024 * 1024}`,
      `framesmith_gpu_memory_used_bytes{gpu="1"} ${1024 * 1024}`,
    ]);
    expect(await samples('framesmith_gpu_memory_total_bytes')).toEqual([
      `framesmith_gpu_memory_total_bytes{gpu="0"} ${46068 * 1024 * 1024}`,
      `framesmith_gpu_memory_total_bytes{gpu="1"} ${46068 * 1024 * 1024}`,
    ]);
    expect(await samples('framesmith_gpu_temperature_celsius')).toEqual([
      'framesmith_gpu_temperature_celsius{gpu="0"} 61',
      'framesmith_gpu_temperature_celsius{gpu="1"} 29',
    ]);
  });

  it('leave out N/A figures and GPUs that are gone', async () => {
    const [h100] = await readGpusFromXmlFile(fixture('h100-80gb-hbm3.xml'));
    const withNa: GpuInfo = { ...h100!, utilization: null, temperatureC: null };
    updateGpuMetrics([withNa]);
    expect(await samples('framesmith_gpu_utilization_ratio')).toEqual([]);
    expect(await samples('framesmith_gpu_temperature_celsius')).toEqual([]);
    expect(await samples('framesmith_gpu_encoder_sessions')).toEqual(['framesmith_gpu_encoder_sessions{gpu="0"} 0']);
    expect(await samples('framesmith_gpu_memory_total_bytes')).toEqual([`framesmith_gpu_memory_total_bytes{gpu="0"} ${81559 * 1024 * 1024}`]);
  });

  it('show the trial results as 0/1 per GPU and feature', async () => {
    updateGpuCapabilityMetrics([{ index: 0, nvdec: true, nvenc: false, nvencError: 'OpenEncodeSessionEx failed: unsupported device (2)' }]);
    expect(await samples('framesmith_gpu_capability')).toEqual([
      'framesmith_gpu_capability{gpu="0",feature="nvdec"} 1',
      'framesmith_gpu_capability{gpu="0",feature="nvenc"} 0',
    ]);
  });
});

describe('startGpuTelemetry', () => {
  it('polls a recorded nvidia-smi XML file (NVIDIA_SMI_XML_FILE) onto the gauges', async () => {
    updateGpuMetrics([]);
    const telemetry = startGpuTelemetry({ readGpus: gpuReader({ nvidiaSmiXmlFile: fixture('l4.xml'), gpu: loadConfig({}).gpu }), intervalMs: 60_000 });
    try {
      await telemetry.poll();
      expect(await samples('framesmith_gpu_encoder_sessions')).toEqual(['framesmith_gpu_encoder_sessions{gpu="0"} 2']);
      expect(await samples('framesmith_gpu_utilization_ratio')).toEqual(['framesmith_gpu_utilization_ratio{gpu="0"} 0.38']);
    } finally {
      telemetry.stop();
    }
  });

  it('never runs two reads at once, and clears the gauges when a read fails', async () => {
    let reads = 0;
    let release: (() => void) | null = null;
    const errors: unknown[] = [];
    const [l4] = await readGpusFromXmlFile(fixture('l4.xml'));
    let fail = false;
    const telemetry = startGpuTelemetry({
      intervalMs: 60_000,
      onError: (err) => errors.push(err),
      readGpus: () => {
        reads++;
        if (fail) return Promise.reject(new Error('nvidia-smi gave no answer within 15000 ms'));
        return new Promise<GpuInfo[]>((resolve) => {
          release = () => resolve([l4!]);
        });
      },
    });
    try {
      const p1 = telemetry.poll();
      const p2 = telemetry.poll();
      expect(reads).toBe(1);
      release!();
      await Promise.all([p1, p2]);
      expect(await samples('framesmith_gpu_temperature_celsius')).toEqual(['framesmith_gpu_temperature_celsius{gpu="0"} 58']);

      fail = true;
      await telemetry.poll();
      expect(reads).toBe(2);
      expect(errors).toHaveLength(1);
      expect(await samples('framesmith_gpu_temperature_celsius')).toEqual([]);
    } finally {
      telemetry.stop();
    }
  });
});
