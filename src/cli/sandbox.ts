/**
 * `patchgate sandbox`: the bundled example deployed on an embedded anvil that stays up (V1 live, nothing
 * proposed), its environment printed as `export` lines and written to `<state-dir>/sandbox.env`, so that
 * README's lifecycle can be run by hand against it. In the foreground until Ctrl-C or SIGTERM: then anvil
 * stops and it exits 0 (anvil is a tied child: it dies with patchgate however patchgate dies).
 */

import { isAbsolute, relative } from 'node:path';
import { Command, Option } from 'commander';
import pc from 'picocolors';
import type { Anvil } from '../chain/anvil.js';
import { environmentError } from '../core/errors.js';
import { jsonText } from '../core/report-json.js';
import type { SandboxEnvironment } from '../demo/sandbox.js';
import { writeOutput } from '../report/index.js';
import {
  addOutputOptions,
  addStoreOptions,
  type OutputOptions,
  parsePort,
  stateDirOf,
  useColor,
} from './options.js';

/** A TCP port, 1–65535. */
/** A path as the user would type it from here: relative when under the current directory. */
function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r === '' ? '.' : r.startsWith('..') || isAbsolute(r) ? path : r;
}

/** The environment as people read it: the export lines, then the commands, each block introduced. */
export function environmentText(env: SandboxEnvironment, lines: { exports: string[]; commands: string[] }) {
  const file = shown(`${env.stateDir}/sandbox.env`);
  return [
    `The environment (also in ${file}: \`source ${file}\`):`,
    ...lines.exports,
    '',
    'Then, step by step (README, "The lifecycle of a patch"):',
    ...lines.commands,
  ];
}

/** The document `--format json` prints once the chain is up. */
export function environmentJson(env: SandboxEnvironment) {
  return {
    rpc: env.rpcUrl,
    stateDir: env.stateDir,
    config: env.config,
    env: Object.fromEntries(env.variables.map((v) => [v.name, v.value])),
    commands: env.commands.map((c) => c.command),
  };
}

/**
 * Keep `anvil` up until Ctrl-C, SIGTERM or SIGHUP, then stop it. The signal handlers stay for the rest of the
 * process: the tied-child hook (chain/child.ts) re-raises the signal after killing its children, and this
 * process must not die of it — it exits 0. anvil stopping on its own is exit 3.
 */
export async function holdUntilSignal(anvil: Anvil): Promise<void> {
  let signal: string | undefined;
  const signalled = new Promise<void>((resolve) => {
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(name, () => {
        signal ??= name;
        resolve();
      });
    }
  });
  await Promise.race([signalled, anvil.exited]);
  // Ctrl-C reaches anvil too (one process group): its exit may be seen before the signal is.
  if (!signal) await Promise.race([signalled, new Promise((r) => setTimeout(r, 500).unref())]);
  await anvil.stop();
  if (!signal) {
    throw environmentError(
      'anvil-failed',
      `the sandbox's anvil on ${anvil.rpcUrl} exited on its own`,
      'start the sandbox again',
    );
  }
}

export function sandboxCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('sandbox')
    .description(
      'deploy the bundled example on an embedded anvil and keep it up, to run the lifecycle by hand (Ctrl-C stops it)',
    )
    .addOption(
      new Option(
        '--port <port>',
        'port for the chain (default: 8545, or a free one if 8545 is taken)',
      ).argParser(parsePort),
    );
  addStoreOptions(cmd, { database: false });
  addOutputOptions(cmd, ['text', 'json']);
  cmd.action(async (opts: OutputOptions & { stateDir: string; port?: number }) => {
    const stateDir = stateDirOf(opts);
    const c = pc.createColors(useColor(opts.out));
    const text = opts.format === 'text';
    const say = (line: string) => {
      if (text) process.stdout.write(`${line}\n`);
    };
    say(c.bold('patchgate sandbox — examples/vault on an embedded anvil: V1 live, nothing proposed yet'));
    const { startSandbox, exportLines, commandLines } = await import('../demo/sandbox.js');
    const sandbox = await startSandbox({
      stateDir,
      port: opts.port,
      onStep: (s) => say(`${c.green('✓')} ${s}`),
    });
    const { anvil, system, env } = sandbox;
    say(
      `${c.green('✓')} deployed on ${anvil.rpcUrl}${sandbox.usualPortTaken ? ' (8545 is taken: a free port was picked)' : ''}: vault ${system.contracts.get('vault')?.address} ← ProxyAdmin ← TimelockController ← Safe ${system.threshold}-of-${system.owners.length}; a fresh store in ${shown(stateDir)}/`,
    );
    if (text) {
      const lines = environmentText(env, { exports: exportLines(env), commands: commandLines(env) });
      writeOutput(`${['', ...lines, ''].join('\n')}\n`, opts.out);
    } else writeOutput(jsonText(environmentJson(env)), opts.out);
    process.stderr.write(`sandbox running on ${anvil.rpcUrl}: Ctrl-C stops it (its chain goes with it)\n`);
    await holdUntilSignal(anvil);
    process.stderr.write('sandbox stopped\n');
    onExit(0);
  });
  return cmd;
}
