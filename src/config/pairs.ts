/**
 * The upgrade pairs of a many-pairs `check`: a `--pairs FILE` (a JSON list of `{name?, reference, candidate,
 * kind?}`) or every patch the config declares (`--all`). Strict like the config: an unknown key or a bad value is
 * an input error naming the entry and the fix, before anything is compiled.
 */
import { readFileSync } from 'node:fs';
import { inputError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import type { Config } from './schema.js';

export type PairKind = 'transparent' | 'uups' | 'beacon';

export interface PairEntry {
  name: string;
  reference: string;
  candidate: string;
  kind?: PairKind;
}

const KEYS = ['name', 'reference', 'candidate', 'kind'] as const;
const KINDS: readonly PairKind[] = ['transparent', 'uups', 'beacon'];
const SHAPE = '[{"name": "…", "reference": "Name or path/File.sol:Name", "candidate": "…", "kind": "uups"}]';

function bad(file: string, message: string, hint: string) {
  return inputError('bad-pairs-file', `${file}: ${message}`, hint);
}

function entryOf(raw: unknown, index: number, file: string): PairEntry {
  const label = (name?: unknown) =>
    `entry ${index + 1}${typeof name === 'string' && name ? ` ("${name}")` : ''}`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw bad(
      file,
      `${label()} is not an object`,
      `each entry is {"reference", "candidate", "name"?, "kind"?}`,
    );
  }
  const entry = raw as Record<string, unknown>;
  const where = label(entry.name);
  for (const key of Object.keys(entry)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw bad(
        file,
        `${where} has unknown key \`${key}\`${didYouMean(key, KEYS)}`,
        `an entry's keys are ${KEYS.join(', ')}`,
      );
    }
  }
  for (const key of ['reference', 'candidate'] as const) {
    if (typeof entry[key] !== 'string' || (entry[key] as string).trim() === '') {
      throw bad(
        file,
        `${where} needs "${key}" as a non-empty string`,
        'a contract is `Name` or `path/File.sol:Name`',
      );
    }
  }
  if (entry.name !== undefined && (typeof entry.name !== 'string' || entry.name.trim() === '')) {
    throw bad(
      file,
      `${where} has a "name" that is not a non-empty string`,
      'name the pair, or leave "name" out',
    );
  }
  if (entry.kind !== undefined && !KINDS.includes(entry.kind as PairKind)) {
    throw bad(
      file,
      `${where} has kind ${JSON.stringify(entry.kind)}, not a proxy kind`,
      `use ${KINDS.join(', ')}, or leave "kind" out to infer it`,
    );
  }
  const reference = entry.reference as string;
  const candidate = entry.candidate as string;
  return {
    name: (entry.name as string | undefined) ?? `${reference} -> ${candidate}`,
    reference,
    candidate,
    ...(entry.kind !== undefined ? { kind: entry.kind as PairKind } : {}),
  };
}

/** Parse the text of a pairs file (`file` names it in errors). */
function parsePairs(text: string, file: string): PairEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(file, `not JSON (${(e as Error).message})`, `a pairs file is a JSON list: ${SHAPE}`);
  }
  if (!Array.isArray(raw)) throw bad(file, 'is not a JSON list', `a pairs file is a JSON list: ${SHAPE}`);
  if (raw.length === 0) throw bad(file, 'lists no pairs', `a pairs file is a JSON list: ${SHAPE}`);
  const pairs = raw.map((entry, i) => entryOf(entry, i, file));
  const seen = new Set<string>();
  for (const p of pairs) {
    if (seen.has(p.name)) {
      throw bad(file, `pair name "${p.name}" is used twice`, 'give every pair its own "name"');
    }
    seen.add(p.name);
  }
  return pairs;
}

export function readPairsFile(file: string): PairEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw inputError(
      'bad-pairs-file',
      `cannot read --pairs ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      `pass a JSON file listing the pairs: ${SHAPE}`,
    );
  }
  return parsePairs(text, file);
}

/** Every patch the config declares, checked against its contract's reference (`--all`). */
export function configPairs(config: Config): PairEntry[] {
  if (config.patches.length === 0) {
    throw inputError(
      'no-patches',
      'check --all found no patches in the config',
      'declare patches ([{name, contract, candidate}]) in patchgate.config.json, or use --pairs FILE',
    );
  }
  return config.patches.map((patch) => {
    const target = config.contracts[patch.contract];
    if (!target) {
      throw inputError(
        'unknown-contract',
        `patch "${patch.name}" is for contract "${patch.contract}", which the config does not declare${didYouMean(patch.contract, Object.keys(config.contracts))}`,
        `declared contracts: ${Object.keys(config.contracts).join(', ') || 'none'}`,
      );
    }
    return {
      name: patch.name,
      reference: target.reference,
      candidate: patch.candidate,
      ...(target.kind ? { kind: target.kind } : {}),
    };
  });
}
