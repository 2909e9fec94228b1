/** `patchgate demo`: the whole lifecycle on the bundled example protocol, on an embedded anvil, no network. */

import { isAbsolute, relative } from 'node:path';
import { Command } from 'commander';
import pc from 'picocolors';
import { jsonText } from '../core/report-json.js';
import type { DemoStep } from '../demo/report.js';
import type { KeptChain } from '../demo/run-demo.js';

import { demoFiles } from '../demo/throwaway.js';
import { writeOutput } from '../report/index.js';
import { addOutputOptions, addStoreOptions, type OutputOptions, stateDirOf, useColor } from './options.js';

export function demoCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('demo').description(
    'run the whole patch lifecycle on the bundled example protocol (no network)',
  );
  cmd.option('--keep', 'leave the chain running afterwards, its environment printed (Ctrl-C stops it)');
  addStoreOptions(cmd, { database: false });
  addOutputOptions(cmd, ['text', 'json']);
  cmd.action(async (opts: OutputOptions & { stateDir: string; keep?: boolean }) => {
    const out = { ...opts, stateDir: stateDirOf(opts) };
    const c = pc.createColors(useColor(out.out));
    const lines: string[] = [];
    const live = out.format === 'text' && !out.out;
    const print = (line: string) => {
      lines.push(line);
      if (live) process.stdout.write(`${line}\n`);
    };
    print(
      c.bold(
        'patchgate demo — examples/vault: an ERC-4626 vault behind a transparent proxy, governed by Safe → timelock',
      ),
    );
    const onStep = (s: DemoStep) => {
      const ms = s.durationMs !== undefined ? c.dim(` (${s.durationMs} ms)`) : '';
      const mark = s.ok ? c.green('✓') : c.red('✗');
      print(`${mark} ${c.dim(s.stage.padEnd(8))}  ${s.text}${ms}`);
      if (s.detail) print(`${' '.repeat(40)}${c.dim(s.detail)}`);
    };
    const { runDemo } = await import('../demo/run-demo.js');
    let kept: KeptChain | undefined;
    const report = await runDemo({
      stateDir: out.stateDir,
      onStep: out.format === 'text' ? onStep : undefined,
      ...(opts.keep
        ? {
            keep: (chain: KeptChain) => {
              kept = chain;
            },
          }
        : {}),
    });
    if (out.format === 'text') {
      print('');
      for (const s of report.stages) {
        print(
          `  ${s.status === 'passed' ? c.green('passed') : c.red(s.status.padEnd(6))}  ${s.name.padEnd(15)} ${String(s.durationMs).padStart(6)} ms`,
        );
      }
      const good = report.patches.filter((x) => x.verdict === 'pass').length;
      print(
        `${report.verdict === 'pass' ? c.green('ok') : c.red('MISMATCH')}  ${report.patches.length} patches checked (${good} pass, ${report.patches.length - good} rejected), ${report.simulations.length} simulated, the fix proposed, approved 2 of 3, queued, executed and verified on chain ${c.dim(`(${report.durationMs} ms)`)}`,
      );
      if (report.lifecycle.log) {
        const files = demoFiles(out.stateDir);
        const rel = (f: string) => {
          const r = relative(process.cwd(), f);
          return r === '' ? '.' : r.startsWith('..') || isAbsolute(r) ? f : r;
        };
        const dir = rel(out.stateDir);
        print('');
        print(`The store, the log export and its signed head are in ${dir}/ — look at them:`);
        print(`  npx patchgate status --state-dir ${dir}`);
        const signer = (report.lifecycle.log as { signer?: string }).signer;
        print(
          `  npx patchgate log verify --file ${rel(files.log)} --head ${rel(files.head)} --signer ${signer}`,
        );
      }
      if (out.out) writeOutput(`${lines.join('\n')}\n`, out.out);
    } else {
      writeOutput(jsonText(report), out.out);
    }
    if (kept)
      await keepRunning(
        kept,
        report.lifecycle.digest,
        out.stateDir,
        out.format === 'text' ? print : undefined,
      );
    onExit(report.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}

/** `demo --keep`: the chain stays up, its environment printed and in `<state-dir>/sandbox.env`, until Ctrl-C. */
async function keepRunning(
  chain: KeptChain,
  digest: `0x${string}` | undefined,
  stateDir: string,
  print: ((line: string) => void) | undefined,
): Promise<void> {
  const { sandboxEnvironment, writeSandboxFiles, exportLines, commandLines } = await import(
    '../demo/sandbox.js'
  );
  const { environmentText, holdUntilSignal } = await import('./sandbox.js');
  const env = sandboxEnvironment({ rpcUrl: chain.anvil.rpcUrl, stateDir, system: chain.system, digest });
  writeSandboxFiles(env, chain.config);
  if (print) {
    print('');
    print(`The chain stays up on ${chain.anvil.rpcUrl}, the fix executed and verified.`);
    for (const line of environmentText(env, { exports: exportLines(env), commands: commandLines(env) }))
      print(line);
  }
  process.stderr.write(
    `demo chain running on ${chain.anvil.rpcUrl}: Ctrl-C stops it (its chain goes with it)\n`,
  );
  await holdUntilSignal(chain.anvil);
  process.stderr.write('demo chain stopped\n');
}
