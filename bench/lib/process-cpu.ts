// CPU time of the stack's processes, read from /proc/<pid>/stat (Linux): what B6 and B9 report
// beside their rates, so a miss says which process ran out of CPU.
import { readdir, readFile } from 'node:fs/promises';

const TICK_HZ = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in 1/100 s

/** utime + stime (+ reaped children's) of a process, in seconds; 0 when it is gone. */
export async function cpuSeconds(pid: number, withReaped: boolean): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return 0;
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  const ticks = Number(f[11]) + Number(f[12]) + (withReaped ? Number(f[13]) + Number(f[14]) : 0);
  return ticks / TICK_HZ;
}

/** PostgreSQL is a postmaster and one process per connection: all of them, exited ones included. */
export async function postgresCpuSeconds(postmaster: number): Promise<number> {
  let total = await cpuSeconds(postmaster, true);
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null);
    if (stat && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster) total += await cpuSeconds(Number(name), false);
  }
  return total;
}

/** CPU seconds over a wall-clock span, in % of one core. */
export const cpuPercent = (cpu: number, ms: number) => Math.round((cpu / (ms / 1000)) * 100);
