// Scratch that outlives its process: a worker killed mid-job (SIGKILL, OOM) leaves its GIF
// frames in tmpfs and its partial outputs in the scratch folder, and nothing else would ever
// remove them (124 MB of frames per killed GIF job, in memory). Every scratch entry is named
// after its owner, `<pid>-<start>-<host>-...`, so a worker starting up can remove the entries
// whose owner is gone, and only those:
// - `host` tells this kernel boot and PID namespace apart from others (a storage folder shared
//   by several machines or containers holds entries whose PIDs mean nothing here): entries of
//   another host are never touched;
// - `start` (the process's start time in clock ticks since boot) tells a reused PID apart from
//   the owner, so a dead owner's entry is not kept forever because its PID came back.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Config } from '../config.js';

export interface ScratchOwner {
  pid: number;
  start: string;
  host: string;
}

/** Start time of a process (field 22 of /proc/<pid>/stat), '0' where there is no /proc, null when no such process. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    if (process.platform === 'linux') return null;
    try {
      process.kill(pid, 0);
      return '0';
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM' ? '0' : null;
    }
  }
}

function readOr(file: string, read: (f: string) => string): string {
  try {
    return read(file).trim();
  } catch {
    return '';
  }
}

let self: ScratchOwner | null = null;

/** This process as scratch names carry it. */
export function scratchOwner(): ScratchOwner {
  if (!self) {
    const boot = readOr('/proc/sys/kernel/random/boot_id', (f) => readFileSync(f, 'utf8'));
    const pidNamespace = readOr('/proc/self/ns/pid', readlinkSync);
    const host = createHash('sha256').update(`${boot}|${pidNamespace}|${boot ? '' : hostname()}`).digest('hex').slice(0, 10);
    self = { pid: process.pid, start: processStart(process.pid) ?? '0', host };
  }
  return self;
}

export function formatScratchOwner(o: ScratchOwner): string {
  return `${o.pid}-${o.start}-${o.host}`;
}

/** A fresh scratch entry name owned by this process: `<pid>-<start>-<host>-<unique>`. */
export function scratchName(): string {
  return `${formatScratchOwner(scratchOwner())}-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** The owner of a scratch entry named `<prefix><pid>-<start>-<host>-...`, or null for a name in any other form. */
export function parseScratchOwner(name: string, prefix = ''): ScratchOwner | null {
  if (!name.startsWith(prefix)) return null;
  const m = /^(\d+)-(\d+)-([0-9a-f]{10})-/.exec(name.slice(prefix.length));
  return m ? { pid: Number(m[1]), start: m[2]!, host: m[3]! } : null;
}

/**
 * Whether an entry's owner is certainly gone: on this host, and its PID is free or now held by
 * a process that started at another time. Unknown forms and other hosts are kept.
 */
export function ownerIsGone(owner: ScratchOwner, here: ScratchOwner, startOf: (pid: number) => string | null): boolean {
  if (owner.host !== here.host) return false;
  if (owner.pid === here.pid && owner.start === here.start) return false;
  const start = startOf(owner.pid);
  return start === null || start !== owner.start;
}

export interface ScratchFolder {
  dir: string;
  /** Entries of ours in `dir` start with this (e.g. `framesmith-gif-` in /dev/shm); '' for a folder of our own. */
  prefix: string;
}

/** Removes the entries of gone owners from each folder; returns the paths removed. */
export async function sweepScratch(folders: readonly ScratchFolder[]): Promise<string[]> {
  const here = scratchOwner();
  const removed: string[] = [];
  for (const f of folders) {
    const names = await readdir(f.dir).catch(() => [] as string[]);
    for (const name of names) {
      const owner = parseScratchOwner(name, f.prefix);
      if (!owner || !ownerIsGone(owner, here, processStart)) continue;
      const entry = path.join(f.dir, name);
      await rm(entry, { recursive: true, force: true });
      removed.push(entry);
    }
  }
  return removed;
}

/** Storage's scratch folders: `.scratch` under a local root, SCRATCH_DIR before an upload to object storage. */
export function storageScratchFolders(config: Pick<Config, 'storageRoot' | 'scratchDir'>): ScratchFolder[] {
  return [
    { dir: path.join(config.storageRoot, '.scratch'), prefix: '' },
    { dir: config.scratchDir, prefix: '' },
  ];
}
