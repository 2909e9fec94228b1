/**
 * `patchgate log …`: the transparency log. `export` writes every entry as JSON lines, `head` a (signed) tree
 * head, `proof` and `consistency` RFC 9162 proofs from the store; `verify` checks an export against heads with
 * nothing but the files — no store, no network. Exit codes: 0 verified, 1 the export fails (naming the first
 * bad index) or has entries no signed head commits to, 2 bad usage or unreadable/malformed files, 3 the store
 * is unreachable or damaged.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { Command } from 'commander';
import type { Address } from 'viem';
import { environmentError, inputError } from '../core/errors.js';
import { jsonText } from '../core/report-json.js';
import { didYouMean } from '../core/suggest.js';
import { VERSION } from '../core/version.js';
import { checkReveals, type RevealChecks } from '../embargo/reveals.js';
import { hasKey, type KeySource, loadAccount } from '../govern/keys.js';
import { parseEntry } from '../ledger/entry.js';
import { exportLine, parseExport } from '../ledger/export.js';
import { type Hash, parseHash, toHex } from '../ledger/hash.js';
import { type Head, signHead, treeHead } from '../ledger/head.js';
import { headLines, readHead as parseHeadFile } from '../ledger/head-text.js';
import { verifyConsistency, verifyInclusion } from '../ledger/verify.js';
import { type ExportReport, type UnsignedTail, verifyExport } from '../ledger/verify-export.js';
import { writeOutput } from '../report/index.js';
import { type Db, openDb } from '../store/db.js';
import { type Ledger, openLedger } from '../store/ledger-store.js';
import { anchorCommand } from './log-anchor.js';
import {
  addKeyOptions,
  addOriginOption,
  addOutputOptions,
  addStoreOptions,
  count,
  DEFAULT_LOG_KEY_ENV as DEFAULT_KEY_ENV,
  stateDirOf,
} from './options.js';
import { address } from './options-address.js';

const EXPORT_PAGE = 5_000;

interface LogOptions {
  stateDir?: string;
  databaseUrl?: string;
  origin: string;
  format?: string;
  out?: string;
}

/** The store, the log in it and the output: every `log` subcommand's options (`verify` reads files only). */
function withOutput(cmd: Command, hideStore = false): Command {
  addStoreOptions(cmd, { hidden: hideStore });
  addOriginOption(cmd, { hidden: hideStore });
  return addOutputOptions(cmd, ['text', 'json']);
}

/**
 * A mistyped `--origin` would otherwise open a new, empty log — and `log head` would sign a size-0 head for it
 * with the real log key. Only a log the store holds can be read.
 */
async function requireOrigin(db: Db, origin: string): Promise<void> {
  let origins: string[];
  try {
    origins = (await db.query<{ origin: string }>('select origin from ledger_heads order by origin')).map(
      (r) => r.origin,
    );
  } catch {
    origins = []; // no log table yet: the store holds no log
  }
  if (origins.includes(origin)) return;
  throw inputError(
    'unknown-log',
    `no log "${origin}" in the store${didYouMean(origin, origins)}`,
    origins.length > 0
      ? `its logs: ${origins.join(', ')}`
      : 'the store holds no log yet: `patchgate propose` starts one',
  );
}

/** Opens the store's ledger, runs `fn`, closes the database whatever happens. */
async function withLedger<T>(opts: LogOptions, fn: (ledger: Ledger) => Promise<T>): Promise<T> {
  const db = await openDb({ stateDir: stateDirOf(opts), databaseUrl: opts.databaseUrl, create: false });
  try {
    await requireOrigin(db, opts.origin);
    return await fn(await openLedger(db, { origin: opts.origin }));
  } finally {
    await db.close();
  }
}

function render(format: string | undefined, json: unknown, text: string[], out?: string): void {
  writeOutput(format === 'json' ? jsonText(json) : `${text.join('\n')}\n`, out);
}

function readInput(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw inputError(
      'unreadable-file',
      `cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'check the path',
    );
  }
}

/** A head file: the JSON `log head --format json` writes, or the text `log head` prints. */
function readHead(path: string, flag: string): Head {
  return parseHeadFile(readInput(path, flag), `${flag} ${path}`);
}

/** Streams the export page by page into a temporary file (renamed at the end) or stdout. */
async function writeExport(ledger: Ledger, from: number, to: number, out?: string): Promise<void> {
  const tmp = out ? `${out}.${process.pid}.tmp` : undefined;
  let fd: number | undefined;
  try {
    if (tmp) fd = openSync(tmp, 'w');
  } catch (e) {
    throw inputError('out-unwritable', `cannot write --out ${out}: ${(e as NodeJS.ErrnoException).code}`);
  }
  try {
    for (let at = from; at < to; at += EXPORT_PAGE) {
      const page = (await ledger.entries(at, Math.min(to, at + EXPORT_PAGE))).map(exportLine).join('');
      if (fd !== undefined) writeSync(fd, page);
      else if (!process.stdout.write(page)) await new Promise((r) => process.stdout.once('drain', r));
    }
    if (fd !== undefined && tmp && out) {
      closeSync(fd);
      fd = undefined;
      renameSync(tmp, out);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
    if (tmp) rmSync(tmp, { force: true });
  }
}

function exportCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('export')
    .description('write the log as JSON lines: {"index", "entry" (canonical JSON text), "nodes"} per entry')
    .option('--from <n>', 'first entry to export', count('--from'), 0)
    .option('--to <n>', 'export entries before this index (default: all)', count('--to'));
  withOutput(cmd).action(async (opts: LogOptions & { from: number; to?: number }) => {
    await withLedger(opts, async (ledger) => {
      const { size } = await ledger.head();
      await writeExport(ledger, opts.from, Math.min(opts.to ?? size, size), opts.out);
    });
    onExit(0);
  });
  return cmd;
}

function headCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('head').description(
    `the log's tree head, signed with the log key (--key-env, --keystore, or $${DEFAULT_KEY_ENV})`,
  );
  addKeyOptions(cmd, 'the log signer', { defaultEnv: DEFAULT_KEY_ENV });
  withOutput(cmd).action(async (opts: LogOptions & KeySource) => {
    const explicit = hasKey(opts);
    const source: KeySource | undefined = explicit
      ? opts
      : process.env[DEFAULT_KEY_ENV]
        ? { keyEnv: DEFAULT_KEY_ENV }
        : undefined;
    const account = source ? loadAccount(source) : undefined; // bad or missing keys fail before the store opens
    const current = await withLedger(opts, (ledger) => ledger.head());
    const base = treeHead(current.origin, current.size, parseHash(current.root) as Hash, new Date());
    const head: Head = account
      ? await signHead(base, account, current.frontier)
      : { ...base, signed: false, frontier: current.frontier };
    if (!account) {
      process.stderr.write(
        `patchgate: warning: no log key (${DEFAULT_KEY_ENV} is not set and no --key-env/--keystore): this head is UNSIGNED\n`,
      );
    }
    // The text form is a head file too: `log verify --head` and `audit --head` read it back.
    render(opts.format, head, headLines(head), opts.out);
    onExit(0);
  });
  return cmd;
}

function proofCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('proof')
    .description('RFC 9162 inclusion proof (audit path) of one entry')
    .requiredOption('--index <n>', 'the entry', count('--index'))
    .option('--size <n>', 'in the tree of this many entries (default: the current size)', count('--size'));
  withOutput(cmd).action(async (opts: LogOptions & { index: number; size?: number }) => {
    const p = await withLedger(opts, (ledger) => ledger.inclusionProof(opts.index, opts.size));
    if (!verifyInclusion(p)) {
      throw environmentError(
        'ledger-damaged',
        `the store's proof for entry ${p.index} does not verify: the log is damaged`,
      );
    }
    const proof = p.proof.map(toHex);
    render(
      opts.format,
      {
        origin: opts.origin,
        index: p.index,
        size: p.size,
        leafHash: toHex(p.leafHash),
        root: toHex(p.root),
        proof,
      },
      [
        `entry ${p.index} in the tree of ${p.size} (${opts.origin})`,
        `leaf hash  ${toHex(p.leafHash)}`,
        `root       ${toHex(p.root)}`,
        `audit path (${proof.length}):`,
        ...proof.map((h) => `  ${h}`),
      ],
      opts.out,
    );
    onExit(0);
  });
  return cmd;
}

function consistencyCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('consistency')
    .description('RFC 9162 consistency proof: the tree of --from entries is a prefix of the tree of --to')
    .requiredOption('--from <n>', 'the earlier tree size', count('--from'))
    .option('--to <n>', 'the later tree size (default: the current size)', count('--to'));
  withOutput(cmd).action(async (opts: LogOptions & { from: number; to?: number }) => {
    const c = await withLedger(opts, (ledger) => ledger.consistencyProof(opts.from, opts.to));
    if (!verifyConsistency(c)) {
      throw environmentError(
        'ledger-damaged',
        `the store's proof from ${c.from} to ${c.to} does not verify: the log is damaged`,
      );
    }
    const proof = c.proof.map(toHex);
    const [fromRoot, toRoot] = [toHex(c.fromRoot), toHex(c.toRoot)];
    render(
      opts.format,
      { origin: opts.origin, from: c.from, to: c.to, fromRoot, toRoot, proof },
      [
        `tree ${c.from} → tree ${c.to} (${opts.origin})`,
        `root ${c.from}  ${fromRoot}`,
        `root ${c.to}  ${toRoot}`,
        `proof (${proof.length}):`,
        ...proof.map((h) => `  ${h}`),
      ],
      opts.out,
    );
    onExit(0);
  });
  return cmd;
}

const TEXT_LISTED = 20;

/** One line per unsigned entry (what it claims to be), the first `TEXT_LISTED` of them. */
function unsignedLines(tail: UnsignedTail): string[] {
  const lines = tail.entries
    .slice(0, TEXT_LISTED)
    .map((e) => `  unsigned     entry ${e.index}: ${e.kind ?? '?'}${e.digest ? ` ${e.digest}` : ''}`);
  const more = tail.to - tail.from - lines.length;
  return more > 0 ? [...lines, `  unsigned     … and ${more} more (entries up to ${tail.to - 1})`] : lines;
}

function firstLine(r: ExportReport): string {
  const range = (t: UnsignedTail) =>
    t.to - t.from === 1 ? `entry ${t.from}` : `entries ${t.from}…${t.to - 1}`;
  if (!r.heads.some((h) => h.role === 'head')) {
    const other = r.problems.find((p) => p.code !== 'unsigned-tail');
    const state = other
      ? `; FAIL: first bad entry ${other.index ?? other.range?.[0]}`
      : `: the ${r.entries} entries are consistent with each other, but nothing proves who wrote them`;
    return `NOT AUTHENTICATED: no --head given${state}`;
  }
  if (!r.ok) {
    return `FAIL: ${r.firstBadIndex !== undefined ? `first bad entry ${r.firstBadIndex}` : 'the heads do not check out'}`;
  }
  const tail = r.unsigned ? `; ${range(r.unsigned)} after it UNSIGNED (not authenticated)` : '';
  return `OK: ${r.committed} entries authenticated by the head, root ${r.heads[0]?.root}${tail}`;
}

/** The reveals of embargoed patches, from the entries that parse (a bad one already fails the export). */
async function revealChecks(text: string): Promise<RevealChecks> {
  const entries = parseExport(text).flatMap((r) => {
    try {
      return [{ index: r.index, entry: parseEntry(r.entry) }];
    } catch {
      return [];
    }
  });
  return checkReveals(entries);
}

function revealLines(c: RevealChecks): string[] {
  return [
    ...c.reveals.map(
      (r) =>
        `  reveal       entry ${r.index}: commitment ${r.commitment} → patch ${r.digest}: ${r.ok ? 'the bundle matches' : 'FAILS'}`,
    ),
    ...c.problems.map((p) => `  entry ${p.index}: ${p.code}: ${p.message}`),
    ...c.unrevealed.map(
      (u) =>
        `  warning: committed patch ${u.digest} (commitment ${u.commitment}) executed (entry ${u.executedIndex}) but was never revealed: run patchgate reveal ${u.digest}`,
    ),
  ];
}

function verifyText(r: ExportReport, reveals: RevealChecks): string[] {
  const ok = r.ok && reveals.problems.length === 0;
  const first = firstLine(r);
  const lines = [
    r.ok && !ok
      ? `FAIL: a reveal does not match its commitment (first bad entry ${reveals.problems[0]?.index})`
      : first,
  ];
  for (const h of r.heads) {
    const who = h.signature === 'unsigned' ? 'UNSIGNED' : `signed by ${h.signer} (${h.signature})`;
    const what = h.matches ? 'matches' : `does not match (entries before ${h.provenBefore} proven)`;
    lines.push(`  ${h.role.padEnd(12)} size ${h.size}, ${who}: ${what}`);
  }
  if (r.heads.length > 0 && !r.signerPinned && r.heads[0]?.signature === 'valid') {
    lines.push(
      `  signer not pinned: the head proves only that ${r.heads[0].signer} signed it; pass --signer with the log's published address`,
    );
  }
  if (r.consistent) lines.push('  the head is consistent with the earlier head (RFC 9162 consistency proof)');
  if (r.unsigned) lines.push(...unsignedLines(r.unsigned));
  for (const p of r.problems) {
    const where =
      p.index !== undefined
        ? `entry ${p.index}`
        : p.range
          ? `entries ${p.range[0]}…${p.range[1] - 1}`
          : 'head';
    lines.push(`  ${where}: ${p.code}: ${p.message}`);
  }
  if (r.problems.some((p) => p.code === 'unsigned-tail')) {
    lines.push(
      r.heads.length > 0
        ? '  hint: get a head that covers them, or pass --allow-unsigned-tail to accept only the entries the head signed'
        : '  hint: pass the signed head (--head HEAD.json); --allow-unsigned-tail checks only that the lines are consistent',
    );
  }
  lines.push(...revealLines(reveals));
  return lines;
}

function verifyCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('verify')
    .description(
      'verify an export (and signed heads) with nothing but the files: exit 1 names the first bad entry',
    )
    .requiredOption('--file <export>', 'the export (JSON lines from `patchgate log export`)')
    .option('--head <file>', 'a signed head (the output of `patchgate log head`, text or --format json)')
    .option('--previous-head <file>', 'an earlier signed head: the log must have only grown since')
    .option(
      '--signer <address>',
      "the log signer's address (default: the head's signer)",
      address('--signer'),
    )
    .option(
      '--allow-unsigned-tail',
      'entries after the head (all of them, without --head) are named but do not fail: they stay unauthenticated',
    );
  withOutput(cmd, true).action(
    async (
      opts: LogOptions & {
        file: string;
        head?: string;
        previousHead?: string;
        signer?: Address;
        allowUnsignedTail?: boolean;
      },
    ) => {
      if (opts.previousHead !== undefined && opts.head === undefined) {
        throw inputError(
          'missing-log-head',
          '--previous-head needs --head: an earlier head is checked against the current one',
          'pass the current head with --head HEAD.json',
        );
      }
      const text = readInput(opts.file, '--file');
      const report = await verifyExport({
        text,
        name: `--file ${opts.file}`,
        head: opts.head ? readHead(opts.head, '--head') : undefined,
        previousHead: opts.previousHead ? readHead(opts.previousHead, '--previous-head') : undefined,
        signer: opts.signer,
        allowUnsignedTail: opts.allowUnsignedTail === true,
      });
      // Embargoed patches: every reveal checked against its commitment, unrevealed executions named.
      const reveals = await revealChecks(text);
      const ok = report.ok && reveals.problems.length === 0;
      // The JSON document leads with the report header every command shares, so CI reads one verdict field.
      const document = {
        tool: { name: 'patchgate', version: VERSION },
        verdict: ok ? 'pass' : 'fail',
        ...report,
        ok,
        embargo: reveals,
      };
      render(opts.format, document, verifyText(report, reveals), opts.out);
      onExit(ok ? 0 : 1);
    },
  );
  return cmd;
}

export function logCommand(onExit: (code: number) => void): Command {
  const log = new Command('log').description(
    'the transparency log (RFC 9162): export, signed heads, inclusion and consistency proofs, offline verify',
  );
  for (const sub of [
    exportCommand,
    headCommand,
    proofCommand,
    consistencyCommand,
    verifyCommand,
    anchorCommand,
  ]) {
    // Parse errors of subcommands are reported like every other (main.ts sets that on the whole tree).
    log.addCommand(sub(onExit));
  }
  return log;
}
