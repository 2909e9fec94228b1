/**
 * Every `patchgate …` command line that README.md and docs/*.md show in a code block parses with the real
 * program — its command, subcommand, options and values — so the docs and the CLI cannot drift apart. Only
 * the parse runs: every action is replaced with a no-op. Placeholders (`0x3dd2…`, `$RPC`) become well-formed
 * values through the small table below. A line the docs show failing (followed by its `patchgate: …` output)
 * may fail to parse only with exactly that line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIGEST = `0x3dd2${'a'.repeat(60)}`;
const ADDRESS = '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc';

/** The placeholders the docs use, and a value of the right shape for each. */
const PLACEHOLDERS: Record<string, string> = {
  $RPC: 'http://127.0.0.1:8545',
  '0x3dd2…': DIGEST,
  '0xVault': ADDRESS,
  '0xLOG_SIGNER': ADDRESS,
  '0x9965…A4dc': ADDRESS,
};

interface DocCommand {
  where: string;
  text: string;
  argv: string[];
  /** The `patchgate: …` line the docs show right after it, if they show it failing. */
  shownError?: string;
}

/** The lines inside fenced code blocks, with their line numbers (1-based). */
function fencedLines(markdown: string): Array<Array<{ n: number; text: string }>> {
  const blocks: Array<Array<{ n: number; text: string }>> = [];
  let block: Array<{ n: number; text: string }> | undefined;
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*```/.test(text)) {
      if (block) blocks.push(block);
      block = block ? undefined : [];
    } else block?.push({ n: i + 1, text });
  });
  return blocks;
}

/** `patchgate propose --patch p --rpc $RPC  # comment` → its arguments, placeholders filled in. */
function argvOf(command: string): string[] {
  const tokens = command.split(/\s+/).filter(Boolean);
  const argv: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token === '>' || token === '2>') {
      i++; // a redirect and its file
      continue;
    }
    const bare = token.replace(/^\[/, '').replace(/\]$/, ''); // `[--rpc $RPC]`: shown optional, parsed given
    argv.push(PLACEHOLDERS[bare] ?? bare);
  }
  return argv;
}

function docCommands(file: string): DocCommand[] {
  const found: DocCommand[] = [];
  for (const block of fencedLines(readFileSync(`${ROOT}${file}`, 'utf8'))) {
    for (let i = 0; i < block.length; i++) {
      const start = block[i] as { n: number; text: string };
      let line = start.text;
      while (line.endsWith('\\') && i + 1 < block.length) line = `${line.slice(0, -1)} ${block[++i]?.text}`;
      const code = line.replace(/^\s*\$\s+/, '').replace(/(^|\s)#.*$/, '');
      for (const segment of code.split(/\s*(?:;|&&|\|\|?)\s*/)) {
        const m = /^(?:npx\s+)?patchgate\s+(.+)$/.exec(segment.trim());
        if (!m) continue;
        const next = block[i + 1]?.text;
        found.push({
          where: `${file}:${start.n}`,
          text: segment.trim(),
          argv: argvOf(m[1] as string),
          ...(next?.startsWith('patchgate: ') ? { shownError: next } : {}),
        });
      }
    }
  }
  return found;
}

/** The program with every action a no-op and every message kept to itself: a parse, nothing else. */
async function parseOnly(argv: string[]): Promise<Command> {
  const program = await buildProgram(() => undefined, argv);
  const quiet = (cmd: Command): void => {
    cmd.configureOutput({
      writeErr: () => undefined,
      writeOut: () => undefined,
      outputError: () => undefined,
    });
    if (cmd.commands.length === 0) cmd.action(() => undefined);
    for (const sub of cmd.commands) quiet(sub);
  };
  quiet(program);
  return program;
}

async function parseError(argv: string[]): Promise<string | undefined> {
  try {
    await (await parseOnly(argv)).parseAsync(argv, { from: 'user' });
    return undefined;
  } catch (e) {
    const err = e as Error & { shortMessage?: string };
    return `patchgate: ${(err.shortMessage ?? err.message).replace(/^error: /, '').split('\n')[0]}`;
  }
}

const docs = [
  'README.md',
  ...readdirSync(`${ROOT}docs`)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const commands = docs.flatMap(docCommands);

describe('the commands README and docs/ show', () => {
  it('are found: the lifecycle, the log, audit, check, simulate and demo', () => {
    const shown = new Set(commands.map((c) => c.argv.filter((a) => !a.startsWith('-'))[0]));
    for (const name of [
      'demo',
      'check',
      'simulate',
      'propose',
      'approve',
      'queue',
      'execute',
      'verify',
      'status',
    ])
      expect(shown).toContain(name);
    expect(shown).toContain('log');
    expect(shown).toContain('audit');
    expect(commands.filter((c) => c.where.startsWith('README.md')).length).toBeGreaterThan(12);
  });

  it.each(commands.map((c) => [`${c.where}  ${c.text}`, c] as const))('%s parses', async (_name, c) => {
    const error = await parseError(c.argv);
    if (c.shownError !== undefined && error !== undefined) expect(error).toBe(c.shownError);
    else expect(error).toBeUndefined();
  });

  it('fail when a line shows an option the command does not take', async () => {
    expect(await parseError(['log', 'verify', '--file', 'log.jsonl', '--heads', 'head.json'])).toMatch(
      /^patchgate: unknown option '--heads'/,
    );
    expect(await parseError(['approve', '0x3dd2…', '--rpc', 'http://127.0.0.1:8545'])).toMatch(
      /is not a patch digest/,
    );
  });
});
