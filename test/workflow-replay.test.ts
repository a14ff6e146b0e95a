// Recorded histories of every workflow shape must replay without non-determinism errors
// against the current workflow code (scripts/record-histories.ts records them).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

const DIR = path.resolve(import.meta.dirname, 'fixtures/histories');

describe('workflow replay', () => {
  it('replays every recorded history', async () => {
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(5);
    const histories = await Promise.all(
      files.map(async (f) => ({ workflowId: f.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(await readFile(path.join(DIR, f), 'utf8'))) })),
    );
    const results = Worker.runReplayHistories({ workflowsPath: path.resolve(import.meta.dirname, '../services/orchestrator/src/workflows.ts') }, histories);
    const seen: string[] = [];
    for await (const r of results) {
      expect(r.error, `${r.workflowId}: ${r.error?.message}`).toBeUndefined();
      seen.push(r.workflowId);
    }
    expect(seen.sort()).toEqual(files.map((f) => f.replace(/\.json$/, '')));
  }, 120_000);

  it('detects drift: the same histories fail against changed workflow code', async () => {
    const history = historyFromJSON(JSON.parse(await readFile(path.join(DIR, 'image-completed.json'), 'utf8')));
    const result = await Worker.runReplayHistory({ workflowsPath: path.resolve(import.meta.dirname, 'fixtures/drifted-workflows.ts') }, history, 'image-completed').then(
      () => null,
      (err: Error) => err,
    );
    expect(result?.name).toBe('DeterminismViolationError');
  }, 120_000);
});
