/**
 * The text of `patchgate.config.json` as `init` writes it: a new file with comments that explain each key and
 * what to add next, or what init found merged into the file a team already keeps — with jsonc-parser's edits, so
 * their comments, order and formatting stay as they were, and a value they changed is never replaced (unless
 * `force`). Nothing new to add leaves the text byte for byte as it was.
 */
import {
  applyEdits,
  createScanner,
  type Edit,
  findNodeAtLocation,
  type Node,
  parse,
  parseTree,
} from 'jsonc-parser';

/** One entry init proposes: `contracts.<key>` or `live.<key>`. */
export interface Entry {
  section: 'contracts' | 'live';
  key: string;
  value: Record<string, string>;
  /** Comment lines written above it in a new file (why it is there, what the chain says). */
  comment: string[];
}

/** An entry the file already has under the same name, with a value init would write differently. */
export interface Difference {
  path: string;
  yours: string | undefined;
  found: string;
}

export interface MergeResult {
  text: string;
  /** `contracts.vault`, `live.vault`: what was added. */
  added: string[];
  /** What the file says otherwise than init found: kept (or, with `force`, replaced). */
  differences: Difference[];
}

/** An object on one line: `{ "kind": "uups", "reference": "src/R.sol:R" }`. */
const inline = (value: Record<string, string>): string =>
  `{ ${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')} }`;

function section(entries: Entry[], indent: string): string[] {
  const lines: string[] = [];
  entries.forEach((e, i) => {
    for (const c of e.comment) lines.push(`${indent}// ${c}`);
    lines.push(`${indent}${JSON.stringify(e.key)}: ${inline(e.value)}${i < entries.length - 1 ? ',' : ''}`);
  });
  return lines;
}

export interface NewFile {
  project: string;
  layout: string;
  entries: Entry[];
  /** The chain the live addresses were read from, when they were. */
  chainId?: number;
}

/** A new config: `project`, `contracts`, `live` (when init found addresses), and what to add next. */
export function renderNew(file: NewFile): string {
  const contracts = file.entries.filter((e) => e.section === 'contracts');
  const live = file.entries.filter((e) => e.section === 'live');
  const liveExample =
    contracts.find((c) => live.some((l) => l.key === c.key))?.key ?? contracts[0]?.key ?? 'vault';
  const lines = [
    '// patchgate.config.json, written by `patchgate init`. JSON with comments: // and /* */ and trailing commas',
    '// are allowed. Run `patchgate init` again at any time: it adds what it finds and keeps what you wrote.',
    '{',
    `  // The Solidity project (${file.layout === 'sources' ? 'plain sources' : file.layout}), relative to this file.`,
    `  "project": ${JSON.stringify(file.project)},`,
    '',
    '  // The upgradeable contracts, by a name you choose: the proxy kind (transparent | uups | beacon) and the',
    '  // build that is live now, "path/File.sol:Name". A patch names one of these and the candidate that replaces',
    '  // it. Remove what is not deployed behind a proxy; rename freely (a re-run of init matches on "reference").',
    '  "contracts": {',
    ...(contracts.length === 0
      ? ['    // none found: add { "name": { "kind": "uups", "reference": "src/My.sol:My" } }']
      : section(contracts, '    ')),
    `  }${live.length > 0 ? ',' : ''}`,
  ];
  if (live.length > 0) {
    lines.push(
      '',
      `  // Where the system is live${file.chainId !== undefined ? ` (chain ${file.chainId})` : ''}: the proxies users call, by the names`,
      '  // above. `propose` … `verify`, `simulate --fork-url` and `watch` find the system here.',
      '  "live": {',
      ...section(live, '    '),
      '  }',
    );
  }
  lines.push(
    '',
    '  // What to add next (docs/init.md):',
    ...(live.length === 0
      ? [
          `  // - "live": { "${liveExample}": { "address": "0x…" } }: where the proxy is. \`patchgate init --rpc URL`,
          `  //   --address ${liveExample}=0x…\` fills it, with the proxy kind and the governance read from the chain.`,
        ]
      : []),
    `  // - "patches": [{ "name": "fix-1", "contract": "${contracts[0]?.key ?? 'vault'}", "candidate": "src/…V2.sol:…V2" }]:`,
    '  //   a proposed upgrade; `patchgate check --all` then checks every patch (storage layout, initializers,',
    '  //   access control, selectors, …), or `patchgate check --reference A --candidate B` one pair.',
    '  // - "policy": { "lanes": { "standard": { "threshold": 2, "delay": 172800 } } }: how many approvals a patch',
    "  //   needs and how long the timelock waits (default: the Safe's owners and threshold, read from the chain).",
    '  // - "system": { "governance": { … }, "deploy": [ … ] }: how to deploy the system on a local chain, so that',
    '  //   `patchgate simulate` runs each upgrade through the real governance path (see examples/vault).',
    '}',
    '',
  );
  return lines.join('\n');
}

/** The indentation of the line `offset` is on. */
function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/** jsonc-parser's SyntaxKind values (a const enum: its runtime does not export the names). */
const COMMA_TOKEN = 5;
const LINE_COMMENT_TOKEN = 12;
const TRIVIA_TOKEN = 15;

/**
 * The edit that adds `"key": valueText` as the last property of the object at `path`, in the file's own style: on
 * a line of its own, indented like its siblings, a trailing comma kept where the file uses one. Nothing around it
 * is reformatted (jsonc-parser's `modify` reformats the previous sibling). A missing object is created the same way
 * in its parent.
 */
function insertProperty(text: string, path: string[], key: string, valueText: string): Edit[] {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const tree = parseTree(text, [], { allowTrailingComma: true }) as Node;
  const parent = path.length === 0 ? tree : findNodeAtLocation(tree, path);
  if (!parent) {
    // The section is missing: add it to its parent, holding the one property.
    const outer = indentAt(text, (findNodeAtLocation(tree, path.slice(0, -1)) ?? tree).offset);
    const unit = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
    const inner = `${outer}${unit}${unit}`;
    const object = `{${eol}${inner}${JSON.stringify(key)}: ${valueText}${eol}${outer}${unit}}`;
    return insertProperty(text, path.slice(0, -1), path[path.length - 1] as string, object);
  }
  const props = parent.children ?? [];
  const last = props[props.length - 1];
  const property = `${JSON.stringify(key)}: ${valueText}`;
  if (!last) {
    const outer = indentAt(text, parent.offset);
    const unit = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
    return [
      { offset: parent.offset + 1, length: 0, content: `${eol}${outer}${unit}${property}${eol}${outer}` },
    ];
  }
  const indent = indentAt(text, last.offset);
  const end = last.offset + last.length;
  const scanner = createScanner(text, true);
  scanner.setPosition(end);
  const comma = scanner.scan() === COMMA_TOKEN ? scanner.getTokenOffset() : undefined;
  // A comment on the same line belongs to the last property: the new one goes on the line after it.
  const at = endOfLineComment(text, comma !== undefined ? comma + 1 : end);
  if (comma !== undefined) return [{ offset: at, length: 0, content: `${eol}${indent}${property},` }];
  return [
    { offset: end, length: 0, content: ',' },
    { offset: at, length: 0, content: `${eol}${indent}${property}` },
  ];
}

/** Past a `// comment` that follows `offset` on the same line (only spaces between), else `offset`. */
function endOfLineComment(text: string, offset: number): number {
  const scanner = createScanner(text, false);
  scanner.setPosition(offset);
  let token = scanner.scan();
  while (token === TRIVIA_TOKEN) token = scanner.scan();
  return token === LINE_COMMENT_TOKEN ? scanner.getTokenOffset() + scanner.getTokenLength() : offset;
}

/** The edit that sets one value of the file (its node replaced in place; a missing one added). */
function setValue(text: string, path: string[], value: string): Edit[] {
  const tree = parseTree(text, [], { allowTrailingComma: true }) as Node;
  const node = findNodeAtLocation(tree, path);
  if (node) return [{ offset: node.offset, length: node.length, content: JSON.stringify(value) }];
  return insertProperty(text, path.slice(0, -1), path[path.length - 1] as string, JSON.stringify(value));
}

/** What makes two entries the same thing under different names: the build, or the address. */
const identity = (e: Entry): string | undefined =>
  e.section === 'contracts' ? e.value.reference : e.value.address?.toLowerCase();

const identityOf = (sectionName: Entry['section'], value: unknown): string | undefined => {
  const v = value as Record<string, unknown> | undefined;
  const id = sectionName === 'contracts' ? v?.reference : v?.address;
  return typeof id === 'string' ? (sectionName === 'live' ? id.toLowerCase() : id) : undefined;
};

/**
 * Merge `entries` (contracts first, then live) into an existing (valid) config text. An entry whose name or
 * identity (a contract's reference, a live address) the file already has is not added again; where the file's value under that name differs, the
 * file wins and the difference is reported — with `force`, init's value replaces it (only that value: comments and
 * everything else stay).
 */
export function mergeInto(text: string, entries: Entry[], opts: { force?: boolean } = {}): MergeResult {
  let out = text;
  const added: string[] = [];
  const differences: Difference[] = [];
  // A contract the file already holds under another name: the live entry paired with it takes that name too, so
  // that `live.<name>` and `contracts.<name>` still meet (the lifecycle finds a proxy's build that way).
  const renamed = new Map<string, string>();
  for (const found of entries) {
    const entry = found.section === 'live' ? { ...found, key: renamed.get(found.key) ?? found.key } : found;
    const current = (parse(out, [], { allowTrailingComma: true }) ?? {}) as Record<string, unknown>;
    const existing = (current[entry.section] ?? {}) as Record<string, Record<string, unknown>>;
    const mine = existing[entry.key];
    if (mine !== undefined) {
      for (const [field, value] of Object.entries(entry.value)) {
        const yours = mine[field];
        const same =
          field === 'address' && typeof yours === 'string'
            ? yours.toLowerCase() === value.toLowerCase()
            : yours === value;
        if (same) continue;
        differences.push({
          path: `${entry.section}.${entry.key}.${field}`,
          yours: yours === undefined ? undefined : String(yours),
          found: value,
        });
        if (opts.force) out = applyEdits(out, setValue(out, [entry.section, entry.key, field], value));
      }
      continue;
    }
    const id = identity(entry);
    const same = Object.entries(existing).find(([, v]) => identityOf(entry.section, v) === id)?.[0];
    if (same !== undefined) {
      if (entry.section === 'contracts') renamed.set(entry.key, same);
      continue;
    }
    out = applyEdits(out, insertProperty(out, [entry.section], entry.key, inline(entry.value)));
    added.push(`${entry.section}.${entry.key}`);
  }
  return { text: out, added, differences };
}
