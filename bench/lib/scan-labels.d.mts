/** Types of scan-labels.mjs (the benchmarks are plain ESM; the tests are TypeScript). */
export interface Labelled {
  /** `src/tx-origin/OriginWallet.sol:OriginWallet`. */
  fullyQualifiedName: string;
  name: string;
  file: string;
  /** `id@function` the scan must report. */
  expect: string[];
  /** `id@function` it knowingly misses (real bugs: false negatives). */
  miss: string[];
  /** `id@function` it knowingly reports on safe code (false positives). */
  falseAlarm: string[];
}
export function labelledContracts(root: string): Labelled[];
export function isProbe(c: Labelled): boolean;
