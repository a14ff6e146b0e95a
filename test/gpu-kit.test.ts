// The GPU kit (npm run gpu:kit; CI builds it before npm test) must run the device check with
// nothing but itself: a copy of the kit outside the repository (no node_modules to fall back
// on), a PATH holding only bash, gzip and the few coreutils/grep/sed/awk the scripts call.
// Without nvidia-smi the probe must choose the CPU and say why, and the worker's video paths
// must pass on the kit's own ffmpeg. Skipped, with a note, where the kit has not been built.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const KIT = path.join(ROOT, '.cache', 'gpu-kit');
const MAX_KIT_BYTES = 60 * 1024 * 1024;
// What run-device-check.sh and device-check.sh call; all Essential/required on Debian and Ubuntu.
const TOOLS = ['bash', 'gzip', 'mktemp', 'rm', 'mkdir', 'chmod', 'cat', 'head', 'tail', 'tee', 'date', 'uname', 'nproc', 'timeout', 'grep', 'sed', 'awk', 'paste', 'dirname'];
const run = promisify(execFile);
const built = existsSync(path.join(KIT, 'manifest.json'));
if (!built) console.warn(`test/gpu-kit.test.ts skipped: no kit in ${KIT} (npm run gpu:kit builds it)`);

describe.skipIf(!built)('the GPU kit', () => {
  let dir: string;
  let kit: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'framesmith-kit-test-'));
    kit = path.join(dir, 'kit');
    await cp(KIT, kit, { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fits what a device check can carry', async () => {
    const manifest = JSON.parse(await readFile(path.join(kit, 'manifest.json'), 'utf8')) as { kitBytes: number };
    expect(manifest.kitBytes).toBeLessThanOrEqual(MAX_KIT_BYTES);
  });

  it("has an ffmpeg built with exactly the recorded configure line", async () => {
    const ffmpeg = path.join(dir, 'ffmpeg');
    await writeFile(ffmpeg, gunzipSync(await readFile(path.join(kit, 'bin', 'ffmpeg.gz'))), { mode: 0o755 });
    const { stdout } = await run(ffmpeg, ['-hide_banner', '-buildconf']);
    // -buildconf shell-quotes values with commas: --enable-muxer='mp4,mov'.
    const flags = stdout.split('\n').map((l) => l.trim().replaceAll("'", '')).filter((l) => l.startsWith('--'));
    const recorded = (await readFile(path.join(ROOT, 'scripts', 'gpu-kit', 'ffmpeg-configure.txt'), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(flags).toEqual(recorded);
  });

  it('runs the device check from an empty PATH: the CPU strategy, with the reason, and the video paths pass', async () => {
    const tools = path.join(dir, 'tools');
    const out = path.join(dir, 'out');
    await mkdir(tools);
    for (const t of TOOLS) {
      const { stdout } = await run('bash', ['-c', 'command -v "$1"', 'bash', t]);
      await symlink(stdout.trim(), path.join(tools, t));
    }
    const env = { PATH: tools, HOME: dir, TMPDIR: dir, OUT: out };
    const result = await run(path.join(tools, 'bash'), [path.join(kit, 'run-device-check.sh')], { cwd: dir, env, timeout: 400_000 }).catch(
      (err: { stdout?: string; stderr?: string; message: string }) => ({ stdout: err.stdout ?? '', stderr: `${err.message}\n${err.stderr ?? ''}` }),
    );
    const summary = await readFile(path.join(out, 'summary.txt'), 'utf8').catch(() => '');
    const context = `${summary}\n${result.stderr}`;
    const probe = JSON.parse(await readFile(path.join(out, 'probe.json'), 'utf8')) as { strategy: { name: string }; reason: string; error: string | null };
    expect(probe.strategy.name, context).toBe('cpu');
    expect(probe.reason).toBe('no GPU: nvidia-smi is not installed (no NVIDIA driver)');
    expect(probe.error).toBeNull();
    expect(summary).toMatch(/^probe rc=0 .*strategy=cpu reason=no GPU: nvidia-smi is not installed/m);
    expect(summary).toMatch(/^GPU benchmarks SKIPPED: no nvidia-smi/m);
    const paths = JSON.parse(await readFile(path.join(out, 'video-paths.json'), 'utf8')) as { results: { path: string; ok: boolean; result?: { strategy: string } }[] };
    expect(paths.results.map((r) => [r.path, r.ok, r.result?.strategy]), context).toEqual([
      ['stream-copy', true, 'cpu/stream-copy'],
      ['smart-cut', true, 'cpu/smart-cut'],
      ['full-reencode', true, 'cpu/full-reencode'],
    ]);
  }, 420_000);
});
