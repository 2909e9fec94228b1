/**
 * The SMTChecker run, in a worker thread: solc-js's compile is synchronous and its bundled z3 takes no timeout
 * (`modelChecker.timeout` breaks it), so the parent bounds the wall-clock time by terminating this thread.
 * In: `workerData.input`, a standard-JSON string. Out: solc's output string, posted once.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const solc = require('solc') as { compile(input: string): string };
parentPort?.postMessage(solc.compile((workerData as { input: string }).input));
