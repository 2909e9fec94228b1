/**
 * The CLI shell: parse, call the library, render, exit. Exit codes (DESIGN.md): 0 pass/success,
 * 1 blocking findings, 2 bad usage or input, 3 environment or internal failure.
 */
import { Command, CommanderError } from 'commander';
import { rpcFailure } from '../chain/rpc.js';
import { isPatchgateError } from '../errors.js';
import { VERSION } from '../version.js';

type Builder = (onExit: (code: number) => void) => Command;

/**
 * Every command, by name, loaded on demand: a run imports the one module it needs (a warm `check` never
 * loads viem or the store), and `--help` or an unknown name loads them all.
 */
const COMMANDS: ReadonlyArray<[string, () => Promise<Builder>]> = [
  ['check', async () => (await import('./check.js')).checkCommand],
  ['simulate', async () => (await import('./simulate.js')).simulateCommand],
  ['propose', async () => (await import('./propose.js')).proposeCommand],
  ['approve', async () => (await import('./approve.js')).approveCommand],
  ['status', async () => (await import('./status.js')).statusCommand],
  ['queue', async () => (await import('./queue.js')).queueCommand],
  ['execute', async () => (await import('./execute.js')).executeCommand],
  ['cancel', async () => (await import('./cancel.js')).cancelCommand],
  ['verify', async () => (await import('./verify.js')).verifyCommand],
  ['pause', async () => (await import('./pause.js')).pauseCommand],
  ['log', async () => (await import('./log.js')).logCommand],
  ['gate', async () => (await import('./gate.js')).gateCommand],
  ['audit', async () => (await import('./audit.js')).auditCommand],
  ['demo', async () => (await import('./demo.js')).demoCommand],
];

export async function buildProgram(onExit: (code: number) => void, argv: string[] = []): Promise<Command> {
  const program = new Command('patchgate')
    .description('Secure patch management for upgradeable smart contracts')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (str, write) => write(`patchgate: ${str.replace(/^error: /, '')}`) });
  const named = COMMANDS.filter(([name]) => name === argv[0]);
  for (const [, load] of named.length > 0 ? named : COMMANDS) program.addCommand((await load())(onExit));
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = await buildProgram((c) => {
    code = c;
  }, argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; every parse error is a usage error (2).
      return e.exitCode === 0 ? 0 : 2;
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
      return known.exitCode;
    }
    const err = e as Error & { shortMessage?: string };
    const first = (err?.shortMessage ?? err?.message ?? String(e)).split('\n')[0];
    process.stderr.write(`patchgate: internal error: ${first}\n`);
    process.stderr.write('  hint: this is a bug in patchgate; rerun with PATCHGATE_DEBUG=1 and report it\n');
    if (process.env.PATCHGATE_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    return 3;
  }
}
