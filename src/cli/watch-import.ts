/**
 * `patchgate watch-import`: OpenZeppelin Monitor's monitor (and network, trigger) JSON files → the `watch` config
 * fragment that carries them over, printed (or written with --out), and what did not map, with why: on stderr, or
 * with `--format json` a `notes` array next to the `fragment`. The conversion is watch/oz-monitor.ts.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { inputError } from '../core/errors.js';
import { writeOutput } from '../report/index.js';
import { importOzMonitor, type SourceFile } from '../watch/oz-monitor.js';
import { addOutputOptions, type OutputOptions } from './options.js';

interface ImportOptions extends OutputOptions<'text' | 'json'> {
  monitor: string[];
  network?: string[];
  trigger?: string[];
}

/** A file named by `flag`, read and parsed as JSON; exit 2 naming the file when it cannot be. */
function readJson(flag: string, file: string): SourceFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw inputError('unreadable-file', `cannot read ${flag} ${file}: ${why}`, 'check the path');
  }
  try {
    return { file, json: JSON.parse(text) };
  } catch (e) {
    throw inputError(
      'oz-monitor-invalid',
      `${flag} ${file} is not JSON: ${(e as Error).message}`,
      'pass the JSON files OpenZeppelin Monitor loads',
    );
  }
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function watchImportCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('watch-import')
    .description(
      "convert OpenZeppelin Monitor's monitor, network and trigger JSON into patchgate's watch config (watch.match, pollMs, webhooks), saying what does not map",
    )
    .requiredOption('--monitor <file>', 'a monitor JSON file (repeat for several)', collect)
    .option('--network <file>', 'a network JSON file (repeat for several)', collect)
    .option(
      '--trigger <file>',
      'a trigger JSON file: webhook and Slack triggers become webhooks (repeat)',
      collect,
    );
  addOutputOptions(cmd, ['text', 'json']);
  cmd.action((opts: ImportOptions) => {
    const result = importOzMonitor({
      monitors: opts.monitor.map((f) => readJson('--monitor', f)),
      networks: (opts.network ?? []).map((f) => readJson('--network', f)),
      triggers: (opts.trigger ?? []).map((f) => readJson('--trigger', f)),
    });
    if (opts.format === 'json') {
      writeOutput(
        `${JSON.stringify({ fragment: result.fragment, notes: result.notes }, null, 2)}\n`,
        opts.out,
      );
    } else {
      writeOutput(`${JSON.stringify(result.fragment, null, 2)}\n`, opts.out);
      for (const note of result.notes) process.stderr.write(`not mapped: ${note}\n`);
    }
    onExit(0);
  });
  return cmd;
}
