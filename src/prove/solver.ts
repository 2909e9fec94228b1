/** One SMTChecker run in a worker thread, ended by `worker.terminate()` when its wall-clock limit passes. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { environmentError, internalError } from '../core/errors.js';

/**
 * dist/prove/worker.js from tsc's dist/prove/ and from the bundle's dist/bundle/ alike (tsc always writes it);
 * from the TypeScript sources (tests), the built one under dist/.
 */
function workerFile(): string {
  const beside = fileURLToPath(new URL('../prove/worker.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = fileURLToPath(new URL('../../dist/prove/worker.js', import.meta.url));
  if (existsSync(built)) return built;
  throw internalError(`the prover's worker is missing (${beside})`, 'build patchgate first: npm run build');
}

export type SolverRun = { kind: 'output'; output: string } | { kind: 'timeout'; afterMs: number };

/** solc's output for `input` (a standard-JSON string), or a timeout after `timeoutMs` of wall-clock time. */
export function runSolver(input: string, timeoutMs: number): Promise<SolverRun> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(workerFile(), { workerData: { input } });
    let settled = false;
    const finish = (run: SolverRun | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (run instanceof Error) reject(run);
      else resolvePromise(run);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', afterMs: timeoutMs }), timeoutMs);
    worker.once('message', (output: string) => finish({ kind: 'output', output }));
    worker.once('error', (e) =>
      finish(environmentError('compiler-crashed', `the SMTChecker crashed: ${e.message}`, undefined, e)),
    );
    worker.once('exit', (code) =>
      finish(environmentError('compiler-crashed', `the SMTChecker's worker exited with code ${code}`)),
    );
  });
}
