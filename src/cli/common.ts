/** What every command shares: output options, the state directory, and turning a run into an exit code. */
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { parseRpcUrl } from '../chain/rpc.js';
import { inputError } from '../core/errors.js';

export type Format = 'text' | 'json' | 'md' | 'sarif';
const FORMAT_CHOICES: readonly Format[] = ['text', 'json', 'md', 'sarif'];

export interface OutputOptions {
  format: Format;
  out?: string;
  stateDir: string;
}

export function addOutputOptions(cmd: Command, formats: readonly string[] = FORMAT_CHOICES): Command {
  return cmd
    .addOption(new Option('--format <format>', 'report format').choices(formats as string[]).default('text'))
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--state-dir <dir>', 'where patchgate keeps its cache and state', '.patchgate');
}

export function outputOptions(opts: { format?: string; out?: string; stateDir?: string }): OutputOptions {
  return {
    format: (opts.format ?? 'text') as Format,
    out: opts.out,
    stateDir: resolve(opts.stateDir ?? '.patchgate'),
  };
}

/** Colors only on a TTY, and never when NO_COLOR is set or a file is written. */
export function useColor(out?: string): boolean {
  return !out && process.stdout.isTTY === true && !process.env.NO_COLOR;
}

export function parseKind(value: string | undefined): 'transparent' | 'uups' | 'beacon' | undefined {
  if (value === undefined) return undefined;
  if (value === 'transparent' || value === 'uups' || value === 'beacon') return value;
  throw inputError('bad-kind', `--kind "${value}" is not a proxy kind`, 'use transparent, uups or beacon');
}

/**
 * A commander parser for `--rpc` / `--fork-url`: a URL without its scheme or with one patchgate does not
 * speak is bad input (exit 2) before anything loads. The rules live in chain/rpc.ts, for every caller.
 */
export function rpcUrlOption(option: '--rpc' | '--fork-url'): (value: string) => string {
  return (value) => parseRpcUrl(value, option);
}
