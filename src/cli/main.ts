/**
 * The CLI shell: parse, call the library, render, exit. Exit codes (DESIGN.md): 0 pass/success,
 * 1 blocking findings, 2 bad usage or input, 3 environment or internal failure.
 */
import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { rpcFailure } from '../chain/rpc.js';
import { ERROR_CODES, type ErrorCode, isErrorCode } from '../core/error-codes.js';
import { isPatchgateError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { VERSION } from '../core/version.js';
import {
  type ErrorFields,
  errorDocument,
  requestedFormat,
  requestedOption,
} from '../report/error-document.js';

type Builder = (onExit: (code: number) => void) => Command;

/**
 * Every command, by name, loaded on demand: a run imports the one module it needs (a warm `check` never
 * loads viem or the store), and `--help` or an unknown name loads them all.
 */
const COMMANDS: ReadonlyArray<[string, () => Promise<Builder>]> = [
  ['init', async () => (await import('./init.js')).initCommand],
  ['check', async () => (await import('./check.js')).checkCommand],
  ['scan', async () => (await import('./scan.js')).scanCommand],
  ['prove', async () => (await import('./prove.js')).proveCommand],
  ['simulate', async () => (await import('./simulate.js')).simulateCommand],
  ['assess', async () => (await import('./assess.js')).assessCommand],
  ['propose', async () => (await import('./propose.js')).proposeCommand],
  ['approve', async () => (await import('./approve.js')).approveCommand],
  ['status', async () => (await import('./status.js')).statusCommand],
  ['queue', async () => (await import('./queue.js')).queueCommand],
  ['execute', async () => (await import('./execute.js')).executeCommand],
  ['cancel', async () => (await import('./cancel.js')).cancelCommand],
  ['reveal', async () => (await import('./reveal.js')).revealCommand],
  ['bundle', async () => (await import('./bundle.js')).bundleCommand],
  ['verify', async () => (await import('./verify.js')).verifyCommand],
  ['rollout', async () => (await import('./rollout.js')).rolloutCommand],
  ['drift', async () => (await import('./drift.js')).driftCommand],
  ['pause', async () => (await import('./pause.js')).pauseCommand],
  ['log', async () => (await import('./log.js')).logCommand],
  ['gate', async () => (await import('./gate.js')).gateCommand],
  ['audit', async () => (await import('./audit.js')).auditCommand],
  ['watch', async () => (await import('./watch.js')).watchCommand],
  ['watch-import', async () => (await import('./watch-import.js')).watchImportCommand],
  ['demo', async () => (await import('./demo.js')).demoCommand],
  ['ci', async () => (await import('./ci.js')).ciCommand],
  ['sandbox', async () => (await import('./sandbox.js')).sandboxCommand],
  ['serve', async () => (await import('./serve.js')).serveCommand],
  ['worker', async () => (await import('./worker.js')).workerCommand],
];

export async function buildProgram(onExit: (code: number) => void, argv: string[] = []): Promise<Command> {
  const program = new Command('patchgate')
    .description('Secure patch management for upgradeable smart contracts')
    .version(VERSION, '-V, --version');
  const named = COMMANDS.filter(([name]) => name === argv[0]);
  for (const [, load] of named.length > 0 ? named : COMMANDS) program.addCommand((await load())(onExit));
  shell(program);
  return program;
}

/**
 * Every command and subcommand (`log verify`) reports parse errors the same way — `patchgate: unknown option
 * '--formt'` — and throws instead of exiting, so `main` maps them to exit 2. `addCommand` does not pass these
 * settings down, so they are set on the whole tree.
 */
function shell(cmd: Command): void {
  cmd
    .exitOverride()
    .showSuggestionAfterError(true)
    // The first line only: main() adds the hint (commander's "(Did you mean …?)" becomes it) on its own line.
    .configureOutput({
      outputError: (str, write) => write(`patchgate: ${str.replace(/^error: /, '').split('\n')[0]}\n`),
    });
  for (const sub of cmd.commands) shell(sub);
}

/**
 * Commander reports a missing required option before an unknown one, so `log verify --fil x` would say
 * "--file not specified" and hide the typo. An unknown option is the cause: report it first (with its
 * did-you-mean). Probed on a program of its own, so the real parse starts from clean option values.
 */
async function unknownOptionFirst(argv: string[]): Promise<void> {
  let cmd: Command = await buildProgram(() => undefined, argv);
  let rest = argv;
  for (;;) {
    const sub = cmd.commands.find((c) => c.name() === rest[0] || c.aliases().includes(rest[0] ?? ''));
    if (!sub) break;
    cmd = sub;
    rest = rest.slice(1);
  }
  if (cmd.commands.length > 0 || rest.some((arg) => arg === '-h' || arg === '--help')) return;
  const unknown = cmd.parseOptions(rest).unknown.find((arg) => arg.startsWith('-') && arg !== '--');
  if (unknown) {
    const flag = unknown.split('=')[0] ?? unknown;
    const known = cmd.options.flatMap((o) => (o.long ? [o.long] : []));
    cmd.error(`unknown option '${flag}'${didYouMean(flag, known)}`, { code: 'commander.unknownOption' });
  }
}

/**
 * The commands whose `--out` holds a verdict (a report CI reads). Every other `--out` holds an artifact — a log
 * export, a signed head, a proof, an approval, a Safe batch — that a failed run must leave as it was.
 */
const VERDICT_COMMANDS = new Set([
  'check',
  'simulate',
  'audit',
  'verify',
  'drift',
  'propose',
  'demo',
  'log verify',
]);

function outHoldsVerdict(argv: readonly string[]): boolean {
  const [first, second] = argv;
  return VERDICT_COMMANDS.has(first === 'log' ? `log ${second}` : (first ?? ''));
}

/**
 * An `--out` that names one of the command's inputs (a file named anywhere on the command line, or a config file
 * found by name): an error must not replace it — exit 2 means nothing was done.
 */
function outIsInput(argv: readonly string[], out: string): boolean {
  const target = resolve(out);
  if (/^patchgate\.config\.(json|ts|mts|js|mjs)$/.test(basename(target))) return true;
  return argv.some(
    (arg, i) => argv[i - 1] !== '--out' && !arg.startsWith('--out=') && resolve(arg) === target,
  );
}

/**
 * Where a machine asked for JSON or SARIF, the error goes to stdout as a document too (stderr keeps the line).
 * A verdict's `--out FILE` gets the same document (or, for text and md, the error's lines): a report left there
 * by an earlier run must never outlive a failed one — CI would upload a stale pass. An artifact's `--out` (a log
 * export, a head) is never overwritten by an error: that would lose the last good one. A file that cannot be
 * written (the very error being reported, maybe) is left alone.
 */
function printErrorDocument(argv: string[], fields: ErrorFields, exitCode: number): void {
  // A --format this command refuses asked for nothing: the line on stderr is all (no document in that format).
  if (fields.message.startsWith('--format ')) return;
  const format = requestedFormat(argv);
  const document =
    format === 'json' || format === 'sarif'
      ? errorDocument(format, fields, exitCode)
      : `patchgate: ${fields.message}\n${fields.hint ? `  hint: ${fields.hint}\n` : ''}`;
  if (format === 'json' || format === 'sarif') process.stdout.write(document);
  const out = requestedOption(argv, '--out');
  if (
    out === undefined ||
    fields.code === 'out-unwritable' ||
    !outHoldsVerdict(argv) ||
    outIsInput(argv, out)
  )
    return;
  try {
    writeFileSync(out, document);
  } catch {
    // The line on stderr has said what failed; an unwritable --out cannot hold it.
  }
}

/** `commander.unknownOption` → `unknown-option`; a parse error docs/errors.md does not name is `usage`. */
function commanderCode(code: string): ErrorCode {
  const name = code.replace(/^commander\./, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return isErrorCode(name) && ERROR_CODES[name] === 2 ? name : 'usage';
}

/** The command the words of argv name, as far as they name one, and its path (`patchgate log verify`). */
function namedCommand(program: Command, argv: readonly string[]): { cmd: Command; path: string[] } {
  let cmd = program;
  const path = ['patchgate'];
  for (const word of argv) {
    const sub = cmd.commands.find((c) => c.name() === word);
    if (!sub) break;
    cmd = sub;
    path.push(word);
  }
  return { cmd, path };
}

/** What a command line that stops at a command with subcommands lacks: "`patchgate log` needs a command: …". */
function missingCommand(program: Command, argv: string[]): string {
  const { cmd, path } = namedCommand(program, argv);
  const names = cmd.commands.map((c) => c.name()).join(', ');
  return path.length === 1
    ? `a command is missing: ${names}`
    : `\`${path.join(' ')}\` needs a command: ${names}`;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = await buildProgram((c) => {
    code = c;
  }, argv);
  try {
    await unknownOptionFirst(argv);
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; every parse error is a usage error (2).
      if (e.exitCode === 0) return 0;
      if (e.code === 'commander.help') {
        // `patchgate log` with no subcommand: commander printed the usage; say what is missing, like any error.
        const message = missingCommand(program, argv);
        process.stderr.write(`patchgate: ${message}\n`);
        printErrorDocument(argv, { code: 'missing-argument', message }, 2);
        return 2;
      }
      const message = e.message.replace(/^error: /, '').split('\n')[0] ?? e.message;
      const suggestion = /\(Did you mean (.+)\?\)/.exec(e.message)?.[1];
      const hint = suggestion
        ? `did you mean ${suggestion}?`
        : `see \`${namedCommand(program, argv).path.join(' ')} --help\``;
      process.stderr.write(`  hint: ${hint}\n`);
      printErrorDocument(argv, { code: commanderCode(e.code), message, hint }, 2);
      return 2;
    }
    // A node's failure that surfaced as a viem error (URL, request body, version over several lines): one line.
    const known = isPatchgateError(e) ? e : rpcFailure(e);
    if (known) {
      const cause = known === e ? known.cause : e;
      process.stderr.write(`patchgate: ${known.shortMessage}\n`);
      if (known.hint) process.stderr.write(`  hint: ${known.hint}\n`);
      for (const d of known.details) process.stderr.write(`  ${d}\n`);
      if (process.env.PATCHGATE_DEBUG && cause)
        process.stderr.write(`${String((cause as Error).stack ?? cause)}\n`);
      printErrorDocument(
        argv,
        {
          code: known.code,
          message: known.shortMessage,
          ...(known.hint ? { hint: known.hint } : {}),
          ...(known.details.length > 0 ? { details: known.details } : {}),
        },
        known.exitCode,
      );
      return known.exitCode;
    }
    const err = e as Error & { shortMessage?: string };
    const first = (err?.shortMessage ?? err?.message ?? String(e)).split('\n')[0];
    const hint = 'this is a bug in patchgate; rerun with PATCHGATE_DEBUG=1 and report it';
    process.stderr.write(`patchgate: internal error: ${first}\n`);
    process.stderr.write(`  hint: ${hint}\n`);
    if (process.env.PATCHGATE_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    printErrorDocument(argv, { code: 'internal', message: `internal error: ${first}`, hint }, 3);
    return 3;
  }
}
