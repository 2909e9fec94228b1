/**
 * Runs once before all test files: compiles the bundled example into the shared test cache, so each test
 * file (each its own process) loads the compiler output from the content-addressed cache instead of
 * recompiling with solc-js; and solves the fix's property on VaultV1 and VaultV2 into the same cache, so the
 * prove stage of every check of the example (CLI tests copy the cache) reads the solver's answer back.
 */
import { join } from 'node:path';
import { contractView } from '../src/analyze/ast.js';
import { proveUpgrade } from '../src/analyze/prove-stage.js';
import { findContract } from '../src/build/index.js';
import { loadExample, TEST_STATE_DIR } from './helpers/example.js';

export default async function setup() {
  const project = await loadExample();
  const view = (name: string) => contractView(findContract(project, name));
  await proveUpgrade(view('src/VaultV1.sol:VaultV1'), view('src/VaultV2.sol:VaultV2'), {
    timeoutMs: 300_000,
    cacheDir: join(TEST_STATE_DIR, 'cache'),
  });
}
