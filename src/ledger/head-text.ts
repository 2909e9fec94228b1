/**
 * A head as text: what `patchgate log head` prints by default, one `key  value` line per field (`frontier` once
 * per hash). A head file may hold this form or the JSON one (`--format json`): `readHead` takes both, so
 * `patchgate log head > head.json` gives a file that `log verify --head` and `audit --head` accept. Both forms
 * carry the same fields; the text is parsed strictly (known keys, each once, nothing else) and then checked by
 * the same schema as the JSON.
 */
import { inputError } from '../core/errors.js';
import { type Head, parseHead } from './head.js';

const UNSIGNED = 'UNSIGNED';
const KEYS = ['origin', 'size', 'root', 'timestamp', 'signer', 'signature', 'frontier'] as const;
type Key = (typeof KEYS)[number];

/** The text form of a head; `readHead` reads it back. */
export function headLines(head: Head): string[] {
  return [
    `origin     ${head.origin}`,
    `size       ${head.size}`,
    `root       ${head.root}`,
    `timestamp  ${head.timestamp}`,
    ...(head.signed
      ? [`signer     ${head.signer}`, `signature  ${head.signature}`]
      : [`signature  ${UNSIGNED} — anyone could have written this head; sign it with --key-env NAME`]),
    ...(head.frontier ?? []).map((h) => `frontier   ${h}`),
  ];
}

const HINT = 'make one with `patchgate log head` (text) or `patchgate log head --format json`';

function notAHead(what: string, why: string) {
  return inputError('bad-log-head', `${what} is not a patchgate log head: ${why}`, HINT);
}

/** The fields of the text form, before the schema checks them. */
function fieldsOf(text: string, what: string): Record<string, unknown> {
  const seen = new Map<Key, string[]>();
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const m = /^([a-z]+) +(\S.*)$/.exec(line);
    const key = m?.[1] as Key | undefined;
    if (!m || !key || !KEYS.includes(key)) {
      throw notAHead(
        what,
        `line ${i + 1} is not "origin|size|root|timestamp|signer|signature|frontier VALUE"`,
      );
    }
    const values = seen.get(key) ?? [];
    if (values.length > 0 && key !== 'frontier') throw notAHead(what, `line ${i + 1} repeats "${key}"`);
    seen.set(key, [...values, m[2] as string]);
  }
  const one = (k: Key) => seen.get(k)?.[0];
  const signature = one('signature');
  const unsigned = signature?.startsWith(UNSIGNED) ?? false;
  const size = one('size');
  return {
    origin: one('origin'),
    size: size !== undefined && /^\d+$/.test(size) ? Number(size) : size,
    root: one('root'),
    timestamp: one('timestamp'),
    ...(unsigned ? { signed: false } : { signed: true, signer: one('signer'), signature }),
    ...(seen.has('frontier') ? { frontier: seen.get('frontier') } : {}),
  };
}

/**
 * Reads a head file's text: the JSON form or the text form. `what` names the file in the one-line error
 * (exit 2) when it is neither.
 */
export function readHead(text: string, what: string): Head {
  if (text.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw notAHead(what, 'it starts like JSON but does not parse');
    }
    return parseHead(value, what);
  }
  return parseHead(fieldsOf(text, what), what);
}
