import { defineConfig } from 'vitest/config';
import { StackLogReporter } from './test/support/stack-log-reporter.js';

// Two projects: "unit" is the quick loop (pure logic next to the code, plus the few tests that
// run ffmpeg or node on generated media, all without a stack), "integration" is test/, which
// needs the one shared stack that test/global-setup.ts starts. `npm test` runs both;
// `npm run test:unit` runs only the first, so a parser change is checked in seconds.
export default defineConfig({
  test: {
    // The stack's log tail on a failed run comes first, vitest's summary last (CI shows the tail).
    reporters: [new StackLogReporter(), 'default'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // One shared stack on a 2-core machine: files run one at a time.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['lib/**/src/**/*.test.ts', 'services/**/src/**/*.test.ts', 'workers/**/src/**/*.test.ts', 'workers/**/test/**/*.test.ts', 'scripts/**/*.test.ts', 'test/support/**/*.test.ts', 'bench/**/*.test.ts'],
          // Nothing shared to protect: files may run side by side, and in reused workers (no
          // test here mocks modules or changes process-wide state), since a fresh worker per
          // file costs more than the tests themselves: about 30 s against 10 s on a busy machine.
          fileParallelism: true,
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // test/support holds helpers and their own pure tests (in the unit project).
          exclude: ['test/support/**'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
