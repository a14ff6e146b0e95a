// The set-up the CPU worker's job tests share (make-image.test.ts, make-gif.test.ts): a temp
// root with a storage folder (sources go in its `src/`) and a frames folder, the worker's
// config on it and local storage. Real ffmpeg and tools, no stack.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '@framesmith/core/config';
import { createLocalStorage, type Storage } from '@framesmith/core/storage';

export interface JobWorkspace {
  root: string;
  /** Where the job's frame folders are made (the jobs' `frameRoot`). */
  frameRoot: string;
  /** The storage folder's `src/`, referred to as `src/<name>` in jobs. */
  sources: string;
  deps: { config: Config; storage: Storage; frameRoot: string };
  remove(): Promise<void>;
}

export async function jobWorkspace(name: string): Promise<JobWorkspace> {
  const root = await mkdtemp(path.join(tmpdir(), `framesmith-${name}-`));
  const frameRoot = path.join(root, 'frames');
  const sources = path.join(root, 'storage/src');
  await mkdir(sources, { recursive: true });
  await mkdir(frameRoot);
  const config = loadConfig({ DATA_DIR: root, STORAGE_ROOT: path.join(root, 'storage') });
  return {
    root,
    frameRoot,
    sources,
    deps: { config, storage: createLocalStorage(config.storageRoot), frameRoot },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
