// The one place a clip job's ffmpeg/ffprobe steps run (make-video.ts, smart-cut.ts): the job's
// deadline, cancellation and progress reporting around runProcess.
import type { Config } from '@framesmith/core/config';
import { createProgressParser } from '@framesmith/core/media/ffmpeg-progress';
import { listPackets } from '@framesmith/core/media/frame-listing';
import type { VideoPacket } from '@framesmith/core/media/keyframes';
import { runProcess } from '@framesmith/core/media/run-process';
import type { JobContext } from '@framesmith/worker-kit/activity-kit';

/** Our own scratch files: nothing but the file protocol. */
export const FILE_ONLY = ['-protocol_whitelist', 'file'];

/** Runs the clip's ffmpeg/ffprobe steps with the job's deadline, cancellation and progress. */
export class Runner {
  /** Progress reached so far, 0..1. */
  at = 0.05;

  constructor(
    private readonly deps: { config: Config },
    private readonly ctx: JobContext,
    readonly scratch: string,
  ) {}

  private get timeoutMs(): number {
    return this.deps.config.limits.processTimeoutMs;
  }

  advance(by: number): void {
    this.at = Math.min(0.95, this.at + by);
    this.ctx.progress(this.at);
  }

  async ffmpeg(args: string[][], p: { phase: string; frames: number; from: number; to: number }): Promise<void> {
    const from = Math.max(this.at, p.from);
    const to = Math.min(0.95, Math.max(from, p.to));
    this.ctx.progress(from, { phase: p.phase });
    const parser = createProgressParser((u) => {
      if (u.frame !== null && p.frames > 0) this.ctx.progress(from + (to - from) * Math.min(1, u.frame / p.frames), { phase: p.phase, speed: u.speed });
    });
    await runProcess(this.deps.config.ffmpegPath, args.flat(), {
      timeoutMs: this.timeoutMs,
      signal: this.ctx.signal,
      onStdout: (chunk) => parser.push(chunk.toString('utf8')),
    });
    this.at = to;
  }

  /** An ffmpeg run whose stdout is the result (headers, checksums). */
  async bytes(args: string[]): Promise<Buffer> {
    const { stdout } = await runProcess(this.deps.config.ffmpegPath, args, { timeoutMs: this.timeoutMs, signal: this.ctx.signal, maxStdoutBytes: 64 << 20 });
    return stdout;
  }

  /** The video packets of a finished clip (ours, in scratch), in decode order (no decoding). */
  async clipPackets(file: string): Promise<VideoPacket[]> {
    return listPackets(this.listing, { input: file, inputOptions: FILE_ONLY, streamIndex: 0, interval: null });
  }

  /** The video packets of a source between two of its times, in decode order (no decoding). */
  async packets(o: { input: string; inputOptions: string[]; streamIndex: number; from: number; to: number }): Promise<VideoPacket[]> {
    return listPackets(this.listing, { input: o.input, inputOptions: o.inputOptions, streamIndex: o.streamIndex, interval: { from: o.from, to: o.to } });
  }

  private get listing() {
    return { ffprobePath: this.deps.config.ffprobePath, timeoutMs: this.deps.config.timeouts.clipProbeMs, signal: this.ctx.signal };
  }
}
