/** Shared access to the bundled example, compiled once per test run (content-addressed cache). */
import { fileURLToPath } from 'node:url';
import { loadProject } from '../../src/build/index.js';
import type { Project } from '../../src/build/types.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/vault/', import.meta.url));
/** One state dir for the whole run: global-setup compiles into it, every test file reads the cache. */
export const TEST_STATE_DIR = fileURLToPath(new URL('../.cache/state/', import.meta.url));

let example: Promise<Project> | undefined;

export function loadExample(): Promise<Project> {
  example ??= loadProject({ dir: EXAMPLE_DIR, stateDir: TEST_STATE_DIR });
  return example;
}
