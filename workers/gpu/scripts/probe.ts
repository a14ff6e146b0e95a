// The GPU worker's start-up capability probe on its own: prints what nvidia-smi lists, what
// the NVDEC/NVENC trials found, the strategy each job slot would get and why, as JSON.
//   node --import tsx workers/gpu/scripts/probe.ts      (or the GPU kit's bundled probe.mjs)
// Reads HWACCEL and FFMPEG_PATH like the worker; NVIDIA_SMI_XML_FILE replays a recorded
// `nvidia-smi -q -x` instead of running nvidia-smi (the ffmpeg trials stay real).
// Exit code 2 when HWACCEL=required and no GPU works, as the worker would refuse to start.
import { BinaryMissingError } from '@framesmith/core/media/run-process';
import { loadConfig } from '@framesmith/core/config';
import type { VideoStrategy } from '../src/clip/video-strategy.js';
import { chooseStrategy, defaultConcurrencyPerGpu } from '../src/choose-strategy.js';
import { probeCapabilities } from '../src/gpu-trials.js';
import { queryNvidiaSmi, readGpusFromXmlFile } from '../src/read-gpus.js';
import { strategyReason } from './strategy-reason.js';

const config = loadConfig();
const xmlFile = config.nvidiaSmiXmlFile;
const started = Date.now();
let nvidiaSmiMissing = false;
const capabilities = await probeCapabilities({
  ffmpegPath: config.ffmpegPath,
  hwAccel: config.hwAccel,
  trialTimeoutMs: config.gpu.trialTimeoutMs,
  readGpus: xmlFile
    ? () => readGpusFromXmlFile(xmlFile)
    : () =>
        queryNvidiaSmi(config.gpu).catch((err: unknown) => {
          // No NVIDIA driver on this machine: no GPUs, not a failure.
          if (!(err instanceof BinaryMissingError)) throw err;
          nvidiaSmiMissing = true;
          return [];
        }),
});

let strategies: VideoStrategy[] = [];
let error: string | null = null;
try {
  const slots = Math.max(1, capabilities.perGpu.length);
  strategies = Array.from({ length: slots }, (_, slot) => chooseStrategy(capabilities, config.hwAccel, slot));
} catch (err) {
  error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
const strategy = strategies[0] ?? null;

console.log(
  JSON.stringify(
    {
      hwAccel: config.hwAccel,
      ffmpegPath: config.ffmpegPath,
      nvidiaSmiXmlFile: xmlFile,
      probeMs: Date.now() - started,
      capabilities,
      strategy,
      reason: strategyReason({ capabilities, hwAccel: config.hwAccel, strategy, nvidiaSmiMissing }),
      strategiesBySlot: strategies,
      defaultConcurrencyPerGpu: defaultConcurrencyPerGpu(capabilities),
      error,
    },
    null,
    2,
  ),
);
process.exitCode = error ? 2 : 0;
