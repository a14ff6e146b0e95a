import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['lib/**/src/**/*.test.ts', 'services/**/src/**/*.test.ts', 'workers/**/src/**/*.test.ts', 'workers/**/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
