// Private folders for decoded frames that ffmpeg writes once and a CPU tool reads once: a GIF's
// PNG frames (gifski) and an IMAGE's uncompressed TIFF (sharp). In tmpfs (/dev/shm) when it is
// writable and has room for the frames even uncompressed, else the system temp folder: memory
// is the right place unless it would crowd out the workers themselves. Named for the scratch
// sweep (sweep-scratch.ts), so a worker killed mid-job leaves nothing behind past its restart.
import { constants } from 'node:fs';
import { access, mkdir, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ScratchFolder, scratchName } from '@framesmith/core/ops/sweep-scratch';

const SHM = '/dev/shm';
const PREFIX = { gif: 'framesmith-gif-', image: 'framesmith-image-' } as const;

/** A new folder (mode 0700) for one job's frames, under `root` when given (tests). */
export async function makeFrameFolder(kind: keyof typeof PREFIX, worstCaseBytes: number, root?: string): Promise<string> {
  const dir = path.join(root ?? (await frameParent(worstCaseBytes)), PREFIX[kind] + scratchName());
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

/** Where frame folders may be: swept of dead workers' frames at start-up. */
export function frameFolders(): ScratchFolder[] {
  return [SHM, tmpdir()].flatMap((dir) => Object.values(PREFIX).map((prefix) => ({ dir, prefix })));
}

async function frameParent(worstCaseBytes: number): Promise<string> {
  try {
    await access(SHM, constants.W_OK);
    const fs = await statfs(SHM);
    if (fs.bavail * fs.bsize > worstCaseBytes * 2) return SHM;
  } catch {
    // No tmpfs here (macOS, some containers): fall through.
  }
  return tmpdir();
}
