/**
 * `--help` of every command and subcommand, against the snapshots committed in test/__snapshots__/cli-help/:
 * a flag renamed, a default changed or a description reworded fails here until the snapshot is updated
 * (`npx vitest run test/cli-help.test.ts -u`) and the change is seen in review. Rendered at a fixed width,
 * without colors, so the text does not depend on the terminal.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';

const WIDTH = 100;

function walk(cmd: Command, path: string[] = []): Array<[string, Command]> {
  const here: [string, Command] = [path.length > 0 ? path.join(' ') : 'patchgate', cmd];
  return [here, ...cmd.commands.flatMap((sub) => walk(sub, [...path, sub.name()]))];
}

const commands = walk(await buildProgram(() => undefined));

function helpText(cmd: Command): string {
  cmd.configureHelp({ helpWidth: WIDTH });
  cmd.configureOutput({ getOutHasColors: () => false });
  return cmd.helpInformation();
}

describe('--help', () => {
  it('covers every command and subcommand', () => {
    expect(commands.map(([name]) => name)).toEqual(
      expect.arrayContaining(['patchgate', 'check', 'propose', 'log verify', 'log anchor', 'gate deploy']),
    );
    expect(commands.length).toBeGreaterThan(20);
  });

  it.each(commands)('patchgate %s --help matches its committed snapshot', async (name, cmd) => {
    await expect(helpText(cmd)).toMatchFileSnapshot(
      `./__snapshots__/cli-help/${name.replace(/ /g, '-')}.txt`,
    );
  });
});
