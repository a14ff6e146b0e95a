import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatScratchOwner, ownerIsGone, parseScratchOwner, processStart, scratchName, scratchOwner, sweepScratch } from './sweep-scratch.js';

const here = { pid: 100, start: '5000', host: 'aaaaaaaaaa' };

describe('scratch names', () => {
  it('carry this process, its start time and host, and read back', () => {
    const name = scratchName();
    expect(name).toMatch(new RegExp(`^${process.pid}-\\d+-[0-9a-f]{10}-[0-9a-z]+$`));
    expect(parseScratchOwner(name)).toEqual(scratchOwner());
    expect(parseScratchOwner(`framesmith-gif-${name}`, 'framesmith-gif-')).toEqual(scratchOwner());
    expect(scratchOwner().start).toBe(processStart(process.pid));
  });
  it('leave names of any other form alone', () => {
    for (const n of ['framesmith-gif-Ab12cd', '123-1733130000000-k2j3h4', 'notes.txt', '12-34-AAAAAAAAAA-x', '12-34-aaaa-x']) expect(parseScratchOwner(n)).toBeNull();
    expect(parseScratchOwner(formatScratchOwner(here) + '-x', 'framesmith-gif-')).toBeNull();
  });
});

describe('ownerIsGone', () => {
  const startOf = (table: Record<number, string>) => (pid: number) => table[pid] ?? null;
  it('is true only on this host, for a free PID or one reused by a later process', () => {
    expect(ownerIsGone({ ...here, pid: 7 }, here, startOf({}))).toBe(true);
    expect(ownerIsGone({ ...here, pid: 7, start: '10' }, here, startOf({ 7: '99' }))).toBe(true);
    expect(ownerIsGone({ ...here, pid: 7, start: '10' }, here, startOf({ 7: '10' }))).toBe(false);
    expect(ownerIsGone({ ...here, pid: 7, host: 'bbbbbbbbbb' }, here, startOf({}))).toBe(false);
    expect(ownerIsGone(here, here, startOf({}))).toBe(false);
  });
});

describe('sweepScratch', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  it('removes entries of dead owners on this host and keeps live, foreign and unknown ones', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sweep-scratch-'));
    const me = scratchOwner();
    // No PID reaches 2^22 + 1 (Linux's pid_max is at most 2^22).
    const dead = formatScratchOwner({ ...me, pid: 4_194_305 });
    const foreign = formatScratchOwner({ ...me, pid: 4_194_305, host: me.host === '0000000000' ? '1111111111' : '0000000000' });
    const entries = [`framesmith-gif-${dead}-a1`, `framesmith-gif-${scratchName()}`, `framesmith-gif-${foreign}-a2`, 'framesmith-gif-Xy12ab', `other-${dead}-a3`];
    for (const e of entries) await mkdir(path.join(dir, e));
    await writeFile(path.join(dir, `framesmith-gif-${dead}-a1`, 'f00001.png'), 'x');
    const removed = await sweepScratch([{ dir, prefix: 'framesmith-gif-' }, { dir: path.join(dir, 'missing'), prefix: '' }]);
    expect(removed).toEqual([path.join(dir, `framesmith-gif-${dead}-a1`)]);
    expect((await readdir(dir)).sort()).toEqual(entries.slice(1).sort());
  });
});
