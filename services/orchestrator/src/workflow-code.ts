// Where the orchestrator's workflow code comes from. Compiled (the image: node dist/main.js):
// the bundle scripts/build-workflow-bundle.mjs made with bundleWorkflowCode at build time, so
// start-up does no webpack work and runs the code the image was built with. From source
// (npm start, the tests): bundled from workflows.ts at start-up, so an edit is picked up at
// once; a bundle that a local build left in dist/ is never used by a source run.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerOptions } from '@temporalio/worker';

const here = fileURLToPath(import.meta.url);
const compiled = path.extname(here) === '.js';

/** The workflows module beside this file: workflows.ts from source, workflows.js compiled. */
export const workflowsPath = path.join(path.dirname(here), `workflows${path.extname(here)}`);

/** The prebuilt bundle, beside the compiled code in dist/ (written by the build). */
export const workflowBundlePath = path.join(path.dirname(here), 'workflow-bundle.js');

/**
 * Worker.create's workflow code and interceptors. The bundle already holds the workflow
 * interceptor modules (the build bundles `interceptors.workflowModules`), and the SDK warns
 * that it ignores them next to a bundle, so they are left out there.
 */
export function workflowCode(interceptors: NonNullable<WorkerOptions['interceptors']>) {
  if (!compiled) return { workflowsPath, interceptors };
  const { workflowModules: _bundled, ...rest } = interceptors;
  return { workflowBundle: { codePath: workflowBundlePath }, interceptors: rest };
}
