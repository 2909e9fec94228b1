/**
 * The few foundry.toml keys patchgate needs (`out`, `src`, `remappings`), read from the active profile
 * (`FOUNDRY_PROFILE`, as forge picks it, falling back to `[profile.default]`). A small reader for the TOML
 * forge projects write: strings, booleans, numbers and arrays of strings (one line or several).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Value = string | boolean | number | string[];

function parseValue(text: string): Value | undefined {
  const t = text.trim();
  const str = /^"((?:[^"\\]|\\.)*)"$|^'([^']*)'$/.exec(t);
  if (str) return str[1] !== undefined ? str[1].replace(/\\(.)/g, '$1') : (str[2] as string);
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d[\d_]*$/.test(t)) return Number(t.replaceAll('_', ''));
  if (t.startsWith('[') && t.endsWith(']')) {
    return [...t.slice(1, -1).matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((m) =>
      m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] as string),
    );
  }
  return undefined;
}

/** A line without its `#` comment (a `#` inside a string is kept). */
function uncommented(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** `section → key → value` for every `key = value` of the file (arrays may span lines). */
function parseToml(text: string): Map<string, Map<string, Value>> {
  const sections = new Map<string, Map<string, Value>>();
  let section = '';
  let pending: { key: string; text: string } | undefined;
  const put = (key: string, raw: string) => {
    const value = parseValue(raw);
    if (value === undefined) return;
    if (!sections.has(section)) sections.set(section, new Map());
    sections.get(section)?.set(key, value);
  };
  for (const raw of text.split('\n')) {
    const line = uncommented(raw).trim();
    if (pending) {
      pending.text += ` ${line}`;
      if (line.endsWith(']')) {
        put(pending.key, pending.text);
        pending = undefined;
      }
      continue;
    }
    const header = /^\[([^[\]]+)\]$/.exec(line);
    if (header) {
      section = (header[1] as string).trim();
      continue;
    }
    const kv = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const [, key, value] = kv as unknown as [string, string, string];
    if (value.startsWith('[') && !value.endsWith(']')) pending = { key, text: value };
    else put(key, value);
  }
  return sections;
}

/** A key of foundry.toml's active profile, or undefined (no foundry.toml, or the key is not set). */
export function foundryConfig(dir: string, key: 'out' | 'src' | 'remappings'): Value | undefined {
  const file = join(dir, 'foundry.toml');
  if (!existsSync(file)) return undefined;
  const sections = parseToml(readFileSync(file, 'utf8'));
  const profile = process.env.FOUNDRY_PROFILE || 'default';
  for (const name of [`profile.${profile}`, 'profile.default']) {
    const value = sections.get(name)?.get(key);
    if (value !== undefined) return value;
  }
  return undefined;
}
