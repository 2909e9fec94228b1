/** Types of sample.mjs (the benchmarks are plain ESM; the tests are TypeScript). */
export function mulberry32(seed: number): () => number;
export function below(next: () => number, n: number): number;
export function distinctIndexes(n: number, count: number, seed?: number): number[];
