/**
 * The CLI's one option layer (Foundry's `RpcOpts`, flattened into every command that needs it). Every option
 * that more than one command takes is declared here once, as a group a command adds to itself:
 *
 * - store:   `--state-dir`, `--database-url`
 * - rpc:     `--rpc` — always the JSON-RPC URL of the chain the command acts on (a second node has its own
 *            name: `simulate --fork-url`)
 * - keys:    `--key-env`, `--keystore`, `--password-env`
 * - output:  `--format`, `--out`
 * - project: `--config`, `--project`
 * - patch:   `--patch NAME` (a patch of the config), `<digest>` (a proposed patch)
 * - chains:  `--chains a,b` (chains of the config's `chains`)
 *
 * and every value is read by a typed parser that throws the project's `inputError`: a bad value is one
 * `patchgate: …` line naming it, exit 2, and the JSON error document with `--format json`, in every command
 * and subcommand alike (cli/main.ts maps it). No runtime import of viem: `check` loads this file, and never
 * viem (the address parser, which needs it, is in options-address.ts).
 */
import { resolve } from 'node:path';
import { Argument, type Command, Option } from 'commander';
import type { Hex } from 'viem';
import { parseRpcUrl } from '../chain/rpc.js';
import type { ErrorCodeWithExit } from '../core/error-codes.js';
import { inputError } from '../core/errors.js';

/** A commander value parser: the raw text in, a typed value out, or an `inputError` (exit 2). */
export type Parser<T> = (value: string) => T;

// ── Value parsers ──────────────────────────────────────────────────────────────────────────────────────────

/** A patch digest: 0x and 64 hex digits, lower-cased. */
export function parseDigest(value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw inputError(
      'bad-digest',
      `"${value}" is not a patch digest (0x and 64 hex digits)`,
      'copy it from `patchgate propose` or `patchgate status`',
    );
  }
  return value.toLowerCase() as Hex;
}

/** 32 bytes of hex given to `flag` (a timelock operation id). */
export function bytes32(flag: string, code: ErrorCodeWithExit<2>, hint: string): Parser<Hex> {
  return (value) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(value)) {
      throw inputError(code, `${flag} "${value}" is not 32 bytes of hex`, hint);
    }
    return value as Hex;
  };
}

/** A count or an index: a non-negative decimal integer that fits a JavaScript number. */
export function count(flag: string): Parser<number> {
  return (value) => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw inputError('bad-number', `${flag} "${value}" is not a non-negative integer`, `e.g. ${flag} 0`);
    }
    return Number(value);
  };
}

/** `--seed N`: the differential fuzzer's seed, a decimal integer in [0, 2^31 − 1] (fast-check's range). */
export function addSeedOption(cmd: Command): Command {
  return cmd.option(
    '--seed <n>',
    "the differential fuzzer's seed (default: the config's fuzz.seed); same seed, same calls, same report",
    (value: string) => {
      if (!/^\d+$/.test(value) || Number(value) > 2 ** 31 - 1) {
        throw inputError(
          'bad-number',
          `--seed "${value}" is not an integer from 0 to 2147483647`,
          'pass a decimal seed, e.g. --seed 42',
        );
      }
      return Number(value);
    },
  );
}

/** A block number, in decimal. */
export function blockNumber(flag: string, code: ErrorCodeWithExit<2> = 'bad-number'): Parser<bigint> {
  return (value) => {
    if (!/^\d+$/.test(value) || BigInt(value) > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw inputError(
        code,
        `${flag} "${value}" is not a block number${/^\d+$/.test(value) ? " (beyond any chain's height)" : ''}`,
        `pass a decimal block number, e.g. ${flag} 19000000`,
      );
    }
    return BigInt(value);
  };
}

/** `FROM:TO`, two block numbers, FROM ≤ TO. */
export function blockRange(flag: string): Parser<[bigint, bigint]> {
  return (value) => {
    const m = /^(\d+):(\d+)$/.exec(value);
    const from = BigInt(m?.[1] ?? 1);
    const to = BigInt(m?.[2] ?? 0);
    if (!m || from > to) {
      throw inputError(
        'bad-replay-blocks',
        `${flag} "${value}" is not a block range`,
        'write FROM:TO, e.g. 19000000:19000010',
      );
    }
    return [from, to];
  };
}

/** A node's URL: http(s) with a host (the rules, and the API key masked in errors, are chain/rpc.ts's). */
export function rpcUrl(flag: string): Parser<string> {
  return (value) => parseRpcUrl(value, flag);
}

/** One of `values`; anything else names the value and lists the choices. */
function choice<T extends string>(
  flag: string,
  values: readonly T[],
  code: ErrorCodeWithExit<2> = 'invalid-argument',
): Parser<T> {
  return (value) => {
    if (!(values as readonly string[]).includes(value)) {
      throw inputError(
        code,
        `${flag} "${value}" is not one of ${values.join(', ')}`,
        `pass one of: ${values.join(', ')}`,
      );
    }
    return value as T;
  };
}

/** An option whose value is one of `values`: `--help` lists them, and the parser above reads it. */
export function choiceOption<T extends string>(
  flags: string,
  description: string,
  values: readonly T[],
  code?: ErrorCodeWithExit<2>,
): Option {
  const option = new Option(flags, description).choices(values);
  return option.argParser(choice(option.long ?? flags, values, code));
}

// ── Groups ─────────────────────────────────────────────────────────────────────────────────────────────────

const DEFAULT_STATE_DIR = '.patchgate';

export interface StoreOptions {
  stateDir: string;
  databaseUrl?: string;
}

/**
 * `--state-dir` (the compiler cache, and the embedded store under `<dir>/db`) and, for a command that opens
 * the store, `--database-url`. `hidden`: accepted but left out of `--help` (a command that reads only files).
 */
export function addStoreOptions(cmd: Command, opts: { database?: boolean; hidden?: boolean } = {}): Command {
  const options = [
    new Option(
      '--state-dir <dir>',
      'where patchgate keeps its compiler cache and its store (PGlite under <dir>/db)',
    )
      .default(DEFAULT_STATE_DIR)
      .argParser(nonEmpty('--state-dir', 'a directory')),
    ...(opts.database === false
      ? []
      : [
          new Option('--database-url <url>', 'keep the store in PostgreSQL instead (postgres://…)').argParser(
            nonEmpty('--database-url', 'a postgres:// URL (an unset variable expands to nothing)'),
          ),
        ]),
  ];
  for (const o of options) cmd.addOption(opts.hidden ? o.hideHelp() : o);
  return cmd;
}

/** `--port N`: a TCP port, 1–65535. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) {
    throw inputError(
      'invalid-argument',
      `--port "${value}" is not a TCP port`,
      'pass 1–65535, e.g. --port 8545',
    );
  }
  return n;
}

/** `--origin NAME`: which log in the store (the store holds one per origin). */
export function addOriginOption(cmd: Command, opts: { hidden?: boolean } = {}): Command {
  const option = new Option('--origin <name>', 'which log in the store (its origin)').default('patchgate');
  return cmd.addOption(opts.hidden ? option.hideHelp() : option);
}

/** The log signer's key when no `--key-env` or `--keystore` names one. */
export const DEFAULT_LOG_KEY_ENV = 'PATCHGATE_LOG_KEY';

/** The state directory as an absolute path. */
export function stateDirOf(opts: { stateDir?: string }): string {
  return resolve(opts.stateDir ?? DEFAULT_STATE_DIR);
}

/**
 * `--rpc URL`, the JSON-RPC URL of the chain the command acts on, checked as a URL when parsed. `note` says
 * what this command does with that chain, or its default; `required` makes it a required option.
 */
export function addRpcOption(cmd: Command, opts: { required?: boolean; note?: string } = {}): Command {
  const option = new Option(
    '--rpc <url>',
    `JSON-RPC URL of the chain the command acts on${opts.note ? ` (${opts.note})` : ''}`,
  ).argParser(rpcUrl('--rpc'));
  return cmd.addOption(opts.required ? option.makeOptionMandatory() : option);
}

export interface KeyOptions {
  keyEnv?: string;
  keystore?: string;
  passwordEnv?: string;
}

const DEFAULT_PASSWORD_ENV = 'PATCHGATE_KEYSTORE_PASSWORD';

/**
 * Where `who`'s signing key comes from: an environment variable, or a keystore file and its password's
 * variable — never the key itself (govern/keys.ts refuses one). `defaultEnv`: the variable read when neither
 * is given.
 */
export function addKeyOptions(cmd: Command, who: string, opts: { defaultEnv?: string } = {}): Command {
  const fallback = opts.defaultEnv ? ` (default: $${opts.defaultEnv})` : '';
  return cmd
    .option('--key-env <name>', `environment variable holding ${who}'s private key (0x…)${fallback}`)
    .option('--keystore <file>', `keystore v3 file holding ${who}'s key`)
    .option(
      '--password-env <name>',
      'environment variable holding the keystore password',
      DEFAULT_PASSWORD_ENV,
    );
}

export type Format = 'text' | 'json' | 'md' | 'sarif' | 'safe-tx-builder';

/** Every format a report renders to (DESIGN.md: `--format text|json|md|sarif`). */
export const REPORT_FORMATS = ['text', 'json', 'md', 'sarif'] as const;

export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What the output group parses to; `F` is the formats the command declared. */
export interface OutputOptions<F extends Format = Format> {
  format: F;
  out?: string;
}

/** `--format` (one of `formats`, default text) and `--out FILE`. */
export function addOutputOptions(cmd: Command, formats: readonly Format[]): Command {
  return cmd
    .addOption(choiceOption('--format <format>', 'output format', formats).default('text'))
    .addOption(
      new Option('--out <file>', 'write the output to a file instead of stdout').argParser(
        nonEmpty('--out', 'a file path'),
      ),
    );
}

/**
 * An option that must not be empty: `--database-url "$DATABASE_URL"` with the variable unset would otherwise fall
 * back to a local store without a word.
 */
function nonEmpty(flag: string, what: string): Parser<string> {
  return (value) => {
    if (value.trim() === '')
      throw inputError('invalid-argument', `${flag} is empty`, `pass ${what}, or drop ${flag}`);
    return value;
  };
}

export interface ProjectOptions {
  config?: string;
  project?: string;
}

/** `--config FILE` and `--project DIR`; `project` says what the directory is for this command. */
export function addProjectOptions(
  cmd: Command,
  project = 'project directory (default: the config\'s "project")',
  config = 'patchgate.config.json (default: the one in --project, else in the current directory)',
): Command {
  return cmd.option('--config <file>', config).option('--project <dir>', project);
}

/** `--patch NAME`: a patch declared in the config. */
export function addPatchOption(
  cmd: Command,
  description: string,
  opts: { required?: boolean } = {},
): Command {
  const option = new Option('--patch <name>', description);
  return cmd.addOption(opts.required ? option.makeOptionMandatory() : option);
}

/** `--chains a,b`: chains of the config's `chains`, by name (each checked against the config where it is read). */
export function addChainsOption(cmd: Command, description: string): Command {
  return cmd.addOption(
    new Option('--chains <names>', description).argParser((value: string) => {
      const names = value.split(',').map((n) => n.trim());
      if (names.some((n) => n === '')) {
        throw inputError(
          'invalid-argument',
          `--chains "${value}" has an empty name`,
          'list chain names separated by commas, e.g. --chains mainnet,base',
        );
      }
      return [...new Set(names)];
    }),
  );
}

/** The `<digest>` argument of a proposed patch (optional: `[digest]`), parsed before the action runs. */
export function addDigestArgument(
  cmd: Command,
  opts: { optional?: boolean; description?: string } = {},
): Command {
  return cmd.addArgument(
    new Argument(opts.optional ? '[digest]' : '<digest>', opts.description ?? 'the patch digest').argParser(
      parseDigest,
    ),
  );
}

/** Colors only on a TTY, and never when NO_COLOR is set or a file is written. */
export function useColor(out?: string): boolean {
  return !out && process.stdout.isTTY === true && !process.env.NO_COLOR;
}
