/** Types of readme.mjs (the benchmarks are plain ESM; the tests are TypeScript). */
export interface Figure {
  label: string;
  value: number;
  unit: string;
  runs: number;
  baseline?: { label: string; value: number };
  ratio?: number;
  note?: string;
}
export interface BenchResult {
  bench: string;
  date: string;
  machine: {
    cpu: string;
    cores: number;
    ramGiB: number;
    node: string;
    os: string;
    /** 1-minute load average at the bench's start and end (older results lack it). */
    load?: [number, number];
  };
  runs: number;
  figures: Figure[];
  notes: string[];
}
export interface Block {
  name: string;
  body: string;
  start: number;
  end: number;
}
export function parseBlocks(text: string): Block[];
export function replaceBlock(text: string, name: string, body: string): string;
export function blockProblems(body: string): string[];
export function formatValue(value: number, unit: string): string;
export function formatRatio(ratio: number): string;
export function stamp(result: BenchResult): string;
export function renderBlock(result: BenchResult): string;
export function table(header: string[], rows: string[][]): string[];
export function renderLines(result: BenchResult): string[];
