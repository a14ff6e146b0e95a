#!/usr/bin/env node
// The orchestrator's prebuilt workflow bundle (run by scripts/build.mjs after tsc, with
// --conditions=framesmith-dist): bundleWorkflowCode on the compiled workflows with the same
// workflow interceptor modules the worker passes when it bundles from source at start-up,
// written where the compiled worker reads it (services/orchestrator/src/workflow-code.ts).
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workerInterceptors } from '@framesmith/worker-kit/activity-interceptors';
import { workflowBundlePath, workflowsPath } from '../services/orchestrator/dist/workflow-code.js';

const CONDITION = 'framesmith-dist';
const { workflowModules } = workerInterceptors();
const { code } = await bundleWorkflowCode({
  workflowsPath,
  workflowInterceptorModules: workflowModules,
  // The workspace packages' compiled exports, as at run time; '...' keeps webpack's defaults.
  webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, conditionNames: [CONDITION, '...'] } }),
});
writeFileSync(workflowBundlePath, code);
console.log(`workflow bundle: ${workflowBundlePath} (${(code.length / 1024).toFixed(0)} KiB; ${workflowModules.length} interceptor module(s))`);
