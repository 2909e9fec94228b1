/**
 * The CLI shell: parse, call the library, render, exit. Exit codes (DESIGN.md): 0 pass/success,
 * 1 blocking findings, 2 bad usage or input, 3 environment or internal failure.
 */
import { Command, CommanderError } from 'commander';
import { isPatchgateError } from '../errors.js';
import { VERSION } from '../version.js';
import { approveCommand } from './approve.js';
import { auditCommand } from './audit.js';
import { cancelCommand } from './cancel.js';
import { checkCommand } from './check.js';
import { demoCommand } from './demo.js';
import { executeCommand } from './execute.js';
import { gateCommand } from './gate.js';
import { logCommand } from './log.js';
import { pauseCommand } from './pause.js';
import { proposeCommand } from './propose.js';
import { queueCommand } from './queue.js';
import { simulateCommand } from './simulate.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

export function buildProgram(onExit: (code: number) => void): Command {
  const program = new Command('patchgate')
    .description('Secure patch management for upgradeable smart contracts')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (str, write) => write(`patchgate: ${str.replace(/^error: /, '')}`) });
  program.addCommand(checkCommand(onExit));
  program.addCommand(simulateCommand(onExit));
  program.addCommand(proposeCommand(onExit));
  program.addCommand(approveCommand(onExit));
  program.addCommand(statusCommand(onExit));
  program.addCommand(queueCommand(onExit));
  program.addCommand(executeCommand(onExit));
  program.addCommand(cancelCommand(onExit));
  program.addCommand(verifyCommand(onExit));
  program.addCommand(pauseCommand(onExit));
  program.addCommand(logCommand(onExit));
  program.addCommand(gateCommand(onExit));
  program.addCommand(auditCommand(onExit));
  program.addCommand(demoCommand(onExit));
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; every parse error is a usage error (2).
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isPatchgateError(e)) {
      process.stderr.write(`patchgate: ${e.shortMessage}\n`);
      if (e.hint) process.stderr.write(`  hint: ${e.hint}\n`);
      for (const d of e.details) process.stderr.write(`  ${d}\n`);
      if (process.env.PATCHGATE_DEBUG && e.cause)
        process.stderr.write(`${String((e.cause as Error).stack ?? e.cause)}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`patchgate: internal error: ${err?.message ?? String(e)}\n`);
    process.stderr.write('  hint: this is a bug in patchgate; rerun with PATCHGATE_DEBUG=1 and report it\n');
    if (process.env.PATCHGATE_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    return 3;
  }
}
