// Lint for what the type checker cannot see: floating promises anywhere, and Node built-ins or
// I/O libraries in workflow code (workflows must stay deterministic; activities do the I/O).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/gen/**', '**/dist/**', 'node_modules/**', '.cache/**', '.data/**', 'deploy/**', 'bench/results/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['services/orchestrator/src/workflows.ts', 'test/fixtures/drifted-workflows.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'child_process', 'http', 'https', 'net', 'os', 'crypto'], message: 'Workflows are deterministic: no Node built-ins; do I/O in activities.' },
            { group: ['pg', 'sharp', '@temporalio/activity', '@temporalio/client', '@temporalio/worker'], message: 'Workflows import only @temporalio/workflow and types.' },
          ],
        },
      ],
    },
  },
);
