import { defineConfig } from 'vitest/config';

/** End-to-end files whose assertions are about wall-clock races with a chain's blocks. */
const REALTIME = [
  'test/watch-attack.test.ts',
  'test/watch-leader.test.ts',
  'test/watch-restart.test.ts',
  'test/adversarial/watch-flood.test.ts',
];

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
    // Test files share their worker processes (no fresh module graph per file): loading viem, upgrades-core and
    // solc-js's soljson anew in every file was most of the CPU time of the short files — measured here, src/'s 42
    // files 52 → 34 CPU-s, 20 of test/'s files 104 → 35 CPU-s. A file that changes process-wide state (an
    // environment variable) puts it back in afterAll; one that must see a fresh process asks a child process.
    isolate: false,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: REALTIME } },
      {
        // The watcher races real blocks (a pause must land before an attack mined 2 s later): with both cores busy
        // it has once missed that window in CI. These files run last, one at a time, with the machine to
        // themselves — the claim they test is the product's latency, not the CI box's contention (~50 s of wall).
        extends: true,
        test: { name: 'realtime', include: REALTIME, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
