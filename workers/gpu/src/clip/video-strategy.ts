// How a video job runs on this worker: decode on NVDEC or the CPU, encode on NVENC or
// libx264. Chosen per job from what the GPU worker's capability probe found to really work
// (Hopper GPUs decode on NVDEC but have no NVENC). Every strategy gives the same contract
// output; only speed differs.
export type VideoStrategyName = 'nvdec-nvenc' | 'nvdec-x264' | 'cpu';

export interface VideoStrategy {
  name: VideoStrategyName;
  decode: 'nvdec' | 'cpu';
  encode: 'nvenc' | 'libx264';
  /** CUDA device index for NVDEC/NVENC; null on the CPU path. */
  gpu: number | null;
}

export const CPU_STRATEGY: VideoStrategy = { name: 'cpu', decode: 'cpu', encode: 'libx264', gpu: null };

/** NVDEC on `gpu`, encoding on its NVENC when that works, else libx264. */
export function gpuStrategy(gpu: number, nvenc: boolean): VideoStrategy {
  return nvenc
    ? { name: 'nvdec-nvenc', decode: 'nvdec', encode: 'nvenc', gpu }
    : { name: 'nvdec-x264', decode: 'nvdec', encode: 'libx264', gpu };
}

/** Input options that select the decoder (before `-i`). Frames come back to system memory so CPU filters and libx264 work on every path. */
export function decodeArgs(s: VideoStrategy): string[] {
  return s.decode === 'nvdec' ? ['-hwaccel', 'cuda', '-hwaccel_device', String(s.gpu ?? 0)] : [];
}

/** Output video encoder options. The x264 settings match what the smart cut needs to join with H.264 sources. */
export function encodeArgs(s: VideoStrategy, o: { crf: number } = { crf: 18 }): string[] {
  if (s.encode === 'nvenc') {
    return ['-c:v', 'h264_nvenc', '-gpu', String(s.gpu ?? 0), '-preset', 'p4', '-rc', 'vbr', '-cq', String(o.crf + 1), '-b:v', '0'];
  }
  return ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(o.crf)];
}
