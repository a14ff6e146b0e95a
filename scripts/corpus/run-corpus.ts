// `npm run corpus`: builds (or reuses) the media corpus, starts a stack of its own (own DATA_DIR
// and PORT, smart cut whatever the size), runs every operation on every source (corpus-cells.ts)
// and writes docs/corpus.md and docs/corpus.json. npm test runs the same cells on the suite's
// stack (test/corpus.test.ts) and fails on any that is not exact and clean.
// `npm run corpus -- x264-vfr gst-hls-3600` runs some sources only (and writes no docs);
// `npm run corpus -- --resume [--rerun=a,b]` keeps the results of sources a previous run finished.
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../stack/free-port.js';
import { startStack } from '../stack/start-stack.js';
import { runCorpusCells } from './corpus-cells.js';
import { writeReport, type SourceRow } from './corpus-report.js';
import { buildCorpus, corpusCacheDir } from './make-corpus.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const resume = args.includes('--resume');
  const only = args.filter((a) => !a.startsWith('--'));
  const rerun = new Set(args.find((a) => a.startsWith('--rerun='))?.slice('--rerun='.length).split(',') ?? []);
  const corpus = await buildCorpus({ only });
  // docs/corpus.json is rewritten after every source, so `--resume` finishes an interrupted
  // run from it (same corpus only), running again just the sources named by `--rerun=a,b`.
  const rows = new Map<string, SourceRow>();
  const previous = path.join(ROOT, 'docs', 'corpus.json');
  if (resume && existsSync(previous)) {
    const json = JSON.parse(await readFile(previous, 'utf8')) as { corpus?: string; rows?: SourceRow[] };
    for (const row of json.corpus === path.basename(corpus.dir) ? (json.rows ?? []) : []) {
      if (!rerun.has(row.source.name)) rows.set(row.source.name, { ...row, source: { ...row.source, file: path.join(corpus.dir, row.source.file) } });
    }
  }
  const ordered = () => corpus.sources.flatMap((s) => rows.get(s.name) ?? []);
  const notRun = () => corpus.sources.filter((s) => !rows.has(s.name)).map((s) => s.name);
  const report = async () => {
    if (!only.length) await writeReport(path.join(ROOT, 'docs'), corpus, ordered(), notRun());
  };
  const pending = corpus.sources.filter((s) => !rows.has(s.name));
  if (pending.length) {
    // `npm run corpus` runs bootstrap's provisioning first, which leaves the Temporal CLI here.
    const cachedCli = path.join(ROOT, '.cache', 'bin', 'temporal');
    if (!process.env.TEMPORAL_CLI && !process.env.TEMPORAL_ADDRESS && existsSync(cachedCli)) process.env.TEMPORAL_CLI = cachedCli;
    const dataDir = await mkdtemp(path.join(tmpdir(), 'framesmith-corpus-'));
    // The stack's own log, for diagnosing a failed cell.
    const logFile = path.join(corpusCacheDir(), 'stack.log');
    const log = createWriteStream(logFile);
    console.log(`[corpus] ${pending.length} sources to run; starting a stack (log: ${logFile})...`);
    const stack = await startStack({
      env: { DATA_DIR: dataDir, PORT: String(await freePort()), SMART_CUT_MIN_COPIED_PIXELS: '0' },
      log: (line) => log.write(`${line}\n`),
    });
    const stop = () => void stack.stop().finally(() => process.exit(130));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await runCorpusCells(
        { restUrl: stack.restUrl, apiKey: stack.apiKey, storageRoot: stack.config.storageRoot, temporalAddress: stack.temporalAddress },
        pending,
        {
          scratch: path.join(dataDir, 'out'),
          concurrency: Math.max(4, 2 * availableParallelism()),
          log: (line) => console.log(`[corpus] ${line}`),
          onRow: async (row) => {
            rows.set(row.source.name, row);
            await report();
          },
        },
      );
    } finally {
      await stack.stop();
      log.end();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  await report();
  if (!only.length) console.log('[corpus] wrote docs/corpus.md and docs/corpus.json');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
