// The GPU worker's start-up capability probe on its own: prints what nvidia-smi lists, what
// the NVDEC/NVENC trials found, and the strategy each job slot would get, as JSON.
//   node --import tsx workers/gpu/scripts/probe.ts
// Reads HWACCEL and FFMPEG_PATH like the worker; NVIDIA_SMI_XML_FILE replays a recorded
// `nvidia-smi -q -x` instead of running nvidia-smi (the ffmpeg trials stay real).
// Exit code 2 when HWACCEL=required and no GPU works, as the worker would refuse to start.
import { loadConfig } from '@framesmith/core/config';
import type { VideoStrategy } from '@framesmith/core/media/video-strategy';
import { chooseStrategy, defaultConcurrencyPerGpu, probeCapabilities, readGpusFromXmlFile } from '../src/gpu-capabilities.js';

const config = loadConfig();
const xmlFile = process.env.NVIDIA_SMI_XML_FILE || null;
const started = Date.now();
const capabilities = await probeCapabilities({
  ffmpegPath: config.ffmpegPath,
  hwAccel: config.hwAccel,
  readGpus: xmlFile ? () => readGpusFromXmlFile(xmlFile) : undefined,
});

let strategies: VideoStrategy[] = [];
let error: string | null = null;
try {
  const slots = Math.max(1, capabilities.perGpu.length);
  strategies = Array.from({ length: slots }, (_, slot) => chooseStrategy(capabilities, config.hwAccel, slot));
} catch (err) {
  error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

console.log(
  JSON.stringify(
    {
      hwAccel: config.hwAccel,
      ffmpegPath: config.ffmpegPath,
      nvidiaSmiXmlFile: xmlFile,
      probeMs: Date.now() - started,
      capabilities,
      strategy: strategies[0] ?? null,
      strategiesBySlot: strategies,
      defaultConcurrencyPerGpu: defaultConcurrencyPerGpu(capabilities),
      error,
    },
    null,
    2,
  ),
);
process.exitCode = error ? 2 : 0;
