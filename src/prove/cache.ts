/**
 * solc's SMTChecker output, cached by content under `<stateDir>/cache/smt/`: the same standard-JSON input to the
 * same solc gives the same answer, so a harness already decided (the reference's property in every check of a
 * patch to it) is read back, not solved again. A timeout is never stored (it measures the machine, not the code);
 * a corrupt or partial entry is a miss; writes are atomic.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledSolcVersion } from '../build/solc.js';

const FORMAT = 'patchgate-smt-1';

function entry(cacheDir: string, input: string): string {
  const key = createHash('sha256').update(`${FORMAT}\0${bundledSolcVersion()}\0${input}`).digest('hex');
  return join(cacheDir, 'smt', `${key}.json`);
}

export function readSolverOutput(cacheDir: string, input: string): string | undefined {
  try {
    const parsed = JSON.parse(readFileSync(entry(cacheDir, input), 'utf8')) as {
      format?: string;
      output?: unknown;
    };
    return parsed.format === FORMAT && typeof parsed.output === 'string' ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

export function writeSolverOutput(cacheDir: string, input: string, output: string): void {
  const file = entry(cacheDir, input);
  try {
    mkdirSync(join(cacheDir, 'smt'), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, output }));
    renameSync(tmp, file);
  } catch {
    // An unwritable cache costs time, never correctness.
  }
}
