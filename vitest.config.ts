import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Two test files at a time (vitest's default here is cores - 1 = 1): most of an end-to-end file's time is spent
    // waiting on anvil, solc and child processes, not on a core. Measured on this 2-core machine: the whole
    // .ci/run 11 min 20 s for 910 tests, against 18 min 47 s for 788 one file at a time. Files share nothing
    // mutable but the content-addressed compiler cache (written atomically): each starts its own anvil on a free
    // port and keeps its state in its own temp dir.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        // The unit tests beside the sources share their worker processes (no fresh module graph per file): they
        // start no chain and no store of their own, and loading the modules anew was a third of their CPU time
        // (src/: 52 → 33 CPU-s measured here).
        test: { name: 'unit', include: ['src/**/*.test.ts'], isolate: false },
      },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'] } },
    ],
  },
});
