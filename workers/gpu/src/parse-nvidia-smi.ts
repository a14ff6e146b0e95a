// Pure reading of `nvidia-smi -q -x` output: which GPUs exist and how busy they are. Running
// nvidia-smi is read-gpus.ts's job; what the GPUs can really do is gpu-trials.ts's.
import xml2js from 'xml2js';

/** One GPU as `nvidia-smi -q -x` reports it. Fields nvidia-smi reports as N/A (or omits) are null. */
export interface GpuInfo {
  /**
   * Position in nvidia-smi's list (PCI bus order): the `-i` index of nvidia-smi, and the CUDA
   * device ordinal that `-hwaccel_device` and `-gpu` take when CUDA_DEVICE_ORDER=PCI_BUS_ID.
   * Not `minor_number`, which follows /dev/nvidiaN and can differ.
   */
  index: number;
  pciBusId: string | null;
  name: string;
  uuid: string | null;
  architecture: string | null;
  driverVersion: string | null;
  cudaVersion: string | null;
  memoryTotalBytes: number | null;
  memoryUsedBytes: number | null;
  /** 0..1 */
  utilization: number | null;
  memoryUtilization: number | null;
  encoderUtilization: number | null;
  decoderUtilization: number | null;
  encoderSessions: number | null;
  encoderAverageFps: number | null;
  temperatureC: number | null;
  powerDrawWatts: number | null;
  powerLimitWatts: number | null;
  /** In MIG mode the media engines belong to GPU instances; a whole-device trial fails. */
  migEnabled: boolean | null;
}

// node-nvidia-smi 1.0.0's parser options (its index.js), kept so that recorded fixtures and
// objects shaped by it read the same: one <gpu> is an object, several an array; text trimmed.
// xml2js 0.4.23 and 0.6.2 give identical objects for the three fixtures with these options.
const XML_OPTIONS = { explicitArray: false, trim: true } as const;

/** GPUs from the object xml2js yields with XML_OPTIONS (one <gpu> is an object, several an array). */
export function parseNvidiaSmi(data: unknown): GpuInfo[] {
  const log = field(data, 'nvidia_smi_log');
  if (log === undefined || log === null || typeof log !== 'object') {
    throw new Error('not nvidia-smi -q -x output: no <nvidia_smi_log> element');
  }
  const driverVersion = text(log, 'driver_version');
  const cudaVersion = text(log, 'cuda_version');
  const raw = field(log, 'gpu');
  const list = raw === undefined || raw === null || raw === '' ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((gpu, index): GpuInfo => {
    const memory = field(gpu, 'fb_memory_usage');
    const util = field(gpu, 'utilization');
    // Drivers before 530 report <power_readings><power_limit>; later ones split GPU and
    // module readings and name the limit current_power_limit.
    const power = field(gpu, 'gpu_power_readings') ?? field(gpu, 'power_readings');
    const mig = text(gpu, 'mig_mode', 'current_mig');
    return {
      index,
      pciBusId: attr(gpu, 'id') ?? text(gpu, 'pci', 'pci_bus_id'),
      name: text(gpu, 'product_name') ?? 'unknown NVIDIA GPU',
      uuid: text(gpu, 'uuid'),
      architecture: text(gpu, 'product_architecture'),
      driverVersion,
      cudaVersion,
      memoryTotalBytes: bytes(text(memory, 'total')),
      memoryUsedBytes: bytes(text(memory, 'used')),
      utilization: ratio(text(util, 'gpu_util')),
      memoryUtilization: ratio(text(util, 'memory_util')),
      encoderUtilization: ratio(text(util, 'encoder_util')),
      decoderUtilization: ratio(text(util, 'decoder_util')),
      encoderSessions: integer(text(gpu, 'encoder_stats', 'session_count')),
      encoderAverageFps: number(text(gpu, 'encoder_stats', 'average_fps')),
      temperatureC: number(text(gpu, 'temperature', 'gpu_temp')),
      powerDrawWatts: number(text(power, 'power_draw')),
      powerLimitWatts: number(text(power, 'current_power_limit') ?? text(power, 'power_limit')),
      migEnabled: mig === null ? null : mig.toLowerCase() === 'enabled',
    };
  });
}

/** The same, from the XML text itself (nvidia-smi's stdout, or a recorded file). */
export async function parseNvidiaSmiXml(xml: string): Promise<GpuInfo[]> {
  return parseNvidiaSmi(await xml2js.parseStringPromise(xml, XML_OPTIONS));
}

// xml2js values: a leaf is a string, or { _: text, $: attributes } when it has attributes.

function field(node: unknown, key: string): unknown {
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
}

function attr(node: unknown, name: string): string | null {
  const value = field(field(node, '$'), name);
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The text at a path; null for absent, empty and nvidia-smi's N/A spellings. */
function text(node: unknown, ...keys: string[]): string | null {
  let cur = node;
  for (const key of keys) cur = field(cur, key);
  const value = typeof cur === 'string' ? cur : field(cur, '_');
  if (typeof value !== 'string') return null;
  const t = value.trim();
  return t === '' || /^\[?(N\/A|Not Supported|Unknown Error|Insufficient Permissions|Requested functionality has been deprecated)\]?$/i.test(t) ? null : t;
}

/** The leading number of "45 C", "27.22 W", "2 %"; null when there is none ("N/A %"). */
function number(value: string | null): number | null {
  const m = value === null ? null : /^-?\d+(\.\d+)?/.exec(value);
  return m ? Number(m[0]) : null;
}

function integer(value: string | null): number | null {
  const n = number(value);
  return n === null ? null : Math.round(n);
}

function ratio(value: string | null): number | null {
  const n = number(value);
  return n === null ? null : n / 100;
}

const UNIT_BYTES: Record<string, number> = { B: 1, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4 };

/** "23034 MiB" → bytes. nvidia-smi writes MiB; the others are accepted in case. */
function bytes(value: string | null): number | null {
  const m = value === null ? null : /^(\d+(?:\.\d+)?)\s*([KMGT]?i?B)?$/i.exec(value);
  if (!m) return null;
  const unit = (m[2] ?? 'MiB').toUpperCase().replace(/^([KMGT])B$/, '$1IB');
  const scale = UNIT_BYTES[unit];
  return scale === undefined ? null : Math.round(Number(m[1]) * scale);
}
