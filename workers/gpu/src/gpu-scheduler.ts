// Pins each video job to one device: the usable GPU with the fewest running jobs, so one
// worker process drives several GPUs evenly. The strategy follows from what that GPU's
// trials proved (NVDEC+NVENC, NVDEC+libx264, or the CPU when none works).
import type { HwAccel } from '@framesmith/core/config';
import type { VideoStrategy } from './clip/video-strategy.js';
import { chooseStrategy } from './choose-strategy.js';
import type { GpuCapabilities } from './gpu-trials.js';

export interface GpuLease {
  strategy: VideoStrategy;
  release(): void;
}

export function createGpuScheduler(caps: GpuCapabilities, hwAccel: HwAccel) {
  const usable = caps.perGpu.filter((g) => g.nvdec).map((g) => g.index);
  const running = new Map<number, number>(usable.map((i) => [i, 0]));
  return {
    acquire(): GpuLease {
      if (usable.length === 0 || hwAccel === 'disable') return { strategy: chooseStrategy(caps, hwAccel, 0), release: () => undefined };
      let best = usable[0]!;
      for (const i of usable) if (running.get(i)! < running.get(best)!) best = i;
      running.set(best, running.get(best)! + 1);
      let released = false;
      return {
        strategy: chooseStrategy(caps, hwAccel, usable.indexOf(best)),
        release() {
          if (released) return;
          released = true;
          running.set(best, running.get(best)! - 1);
        },
      };
    },
    running: () => Object.fromEntries(running),
  };
}
