import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['lib/**/src/**/*.test.ts', 'services/**/src/**/*.test.ts', 'workers/**/src/**/*.test.ts', 'workers/**/test/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    globalSetup: ['test/global-setup.ts'],
    // One shared stack on a 2-core machine: files run one at a time.
    fileParallelism: false,
  },
});
