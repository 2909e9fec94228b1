/**
 * Runs once before all test files: compiles the bundled example into the shared test cache, so each test
 * file (each its own process) loads the compiler output from the content-addressed cache instead of
 * recompiling with solc-js.
 */
import { loadExample } from './helpers/example.js';

export default async function setup() {
  await loadExample();
}
