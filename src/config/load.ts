import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import { inputError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import type { Config } from './schema.js';

const CONFIG_FILE = 'patchgate.config.json';
const CONFIG_FILES = ['patchgate.config.ts', 'patchgate.config.mjs', 'patchgate.config.js', CONFIG_FILE];

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file, undefined when none was found and defaults apply. */
  path?: string;
  /** The project directory, resolved against the config file's directory. */
  projectDir: string;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

interface ZodDef {
  type: string;
  shape?: Record<string, { _zod: { def: ZodDef } }>;
  element?: { _zod: { def: ZodDef } };
  valueType?: { _zod: { def: ZodDef } };
  innerType?: { _zod: { def: ZodDef } };
  in?: { _zod: { def: ZodDef } };
}

/** The keys the schema allows at `path` (wrappers, arrays and records walked through), for "did you mean". */
function keysAt(schema: { _zod: { def: ZodDef } }, path: readonly PropertyKey[]): string[] {
  let def: ZodDef | undefined = schema._zod.def;
  const unwrap = () => {
    while (def && (def.innerType || (def.type === 'pipe' && def.in)))
      def = (def.innerType ?? def.in)?._zod.def;
  };
  for (const key of path) {
    unwrap();
    if (!def) return [];
    if (def.type === 'array') def = def.element?._zod.def;
    else if (def.type === 'record') def = def.valueType?._zod.def;
    else if (def.type === 'object') def = def.shape?.[String(key)]?._zod.def;
    else return [];
  }
  unwrap();
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Validate a config value (from JSON or a config module); errors name the file and the bad key. */
async function validateConfig(raw: unknown, file: string): Promise<Config> {
  // zod loads only when there is a config to validate (a plain `check` stays fast).
  const { configSchema } = await import('./schema.js');
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    // A mistyped key also makes the key it meant "missing": name the typo first, it is the cause.
    const issues = [...parsed.error.issues].sort(
      (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
    );
    const describe = (issue: (typeof issues)[number]): string => {
      const where = formatPath(issue.path);
      if (issue.code === 'unrecognized_keys') {
        const known = keysAt(configSchema as never, issue.path);
        const keys = issue.keys.map((k) => `unknown key \`${k}\`${didYouMean(k, known)}`).join(', ');
        return `${where ? `${where}: ` : ''}${keys}`;
      }
      return `${where ? `${where}: ` : ''}${issue.message}`;
    };
    throw inputError(
      'config-invalid',
      `${file}: ${issues[0] ? describe(issues[0]) : 'invalid'}`,
      'see README for the config format',
      issues.slice(1).map(describe),
    );
  }
  return parsed.data;
}

/** What each JSONC syntax error means, in the words of the hint a person needs. */
const SYNTAX_ERRORS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'a property name (in double quotes) is expected',
  ValueExpected: 'a value is expected',
  ColonExpected: 'a colon is expected',
  CommaExpected: 'a comma is expected',
  CloseBraceExpected: 'a closing } is expected',
  CloseBracketExpected: 'a closing ] is expected',
  EndOfFileExpected: 'nothing may follow the closing }',
  InvalidCommentToken: 'malformed comment',
  UnexpectedEndOfComment: 'a comment is not closed (*/ missing)',
  UnexpectedEndOfString: 'a string is not closed (" missing)',
  UnexpectedEndOfNumber: 'a number is cut off',
  InvalidUnicode: 'malformed \\u escape',
  InvalidEscapeCharacter: 'malformed escape in a string',
  InvalidCharacter: 'a control character inside a string',
};

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * JSON with comments (`//`, `/* *\/`) and trailing commas, as `patchgate init` writes it; a syntax error names
 * the file, its line and column.
 */
function parseJsoncText(text: string, file: string): unknown {
  const errors: ParseError[] = [];
  const raw = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) {
    const { line, column } = lineColumn(text, first.offset);
    throw inputError(
      'config-invalid',
      `${file} is not valid JSON at line ${line}, column ${column}: ${SYNTAX_ERRORS[printParseErrorCode(first.error)] ?? 'syntax error'}`,
      `fix the JSON syntax at ${file}:${line}:${column} (comments and trailing commas are allowed)`,
    );
  }
  return raw;
}

/**
 * Parse and validate a config text: JSON, with comments and trailing commas allowed (JSONC).
 *
 * @example
 * ```ts
 * const config = await parseConfig(readFileSync('patchgate.config.json', 'utf8'), 'patchgate.config.json');
 * ```
 */
export async function parseConfig(text: string, file: string): Promise<Config> {
  return validateConfig(parseJsoncText(text, file), file);
}

/**
 * The default export of a team's module — `patchgate.config.{ts,mjs,js}`, a custom watch rule — TypeScript
 * transpiled with the project's `typescript`. `what` names it in errors ("the config", "watch rule …").
 */
export async function importUserModule(path: string, what = 'the config module'): Promise<unknown> {
  let url = pathToFileURL(path).href;
  if (path.endsWith('.ts')) {
    let ts: { transpileModule: (src: string, o: object) => { outputText: string } };
    try {
      // The project's own typescript first, then one installed beside patchgate.
      let found: string;
      try {
        found = createRequire(path).resolve('typescript');
      } catch {
        found = createRequire(import.meta.url).resolve('typescript');
      }
      ts = createRequire(import.meta.url)(found);
    } catch {
      throw inputError(
        'config-needs-typescript',
        `${path} is TypeScript but the typescript package is not installed in this project`,
        'npm install -D typescript, or write patchgate.config.json / .mjs',
      );
    }
    const out = ts.transpileModule(readFileSync(path, 'utf8'), {
      compilerOptions: { module: 99 /* ESNext */, target: 9 /* ES2022 */ },
      fileName: path,
    }).outputText;
    // Next to the original so relative imports in the config keep working; removed right after.
    const tmp = join(dirname(path), `.patchgate.${basename(path, '.ts')}.${process.pid}.mjs`);
    writeFileSync(tmp, out);
    url = `${pathToFileURL(tmp).href}?v=${Date.now()}-${Math.random()}`;
    try {
      return ((await import(url)) as { default?: unknown }).default;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  try {
    return ((await import(url)) as { default?: unknown }).default;
  } catch (e) {
    throw inputError('config-invalid', `${path} failed to load: ${(e as Error).message}`, `fix ${what}`);
  }
}

/** The config file in a directory, by precedence. */
function findConfigFile(dir: string): string | undefined {
  for (const name of CONFIG_FILES) {
    const p = resolve(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Load `--config FILE`, or the `patchgate.config.{ts,mjs,js,json}` in `searchDir` if present, or defaults.
 * A given file that does not exist is an error; an absent default file is not.
 *
 * @example
 * ```ts
 * const { config, projectDir } = await loadConfig({ searchDir: process.cwd() });
 * ```
 */
export async function loadConfig(opts: { file?: string; searchDir: string }): Promise<LoadedConfig> {
  const path = opts.file ? resolve(opts.file) : findConfigFile(opts.searchDir);
  if (!path || !existsSync(path)) {
    if (opts.file) {
      throw inputError(
        'config-not-found',
        `config file ${opts.file} does not exist`,
        'check the --config path',
      );
    }
    // The schema's defaults, written out: checking without a config file does not load zod.
    const config: Config = {
      project: '.',
      contracts: {},
      patches: [],
      acknowledge: [],
      prove: { enabled: true, timeout: 60 },
      pocs: [],
      invariants: [],
      replay: [],
      invariantContracts: [],
      fuzz: { enabled: true, runs: 8, timeBudgetMs: 20_000, seed: 1 },
      policy: { approvalTtl: 7 * 86_400, proposalTtl: 14 * 86_400, lanes: { standard: {}, emergency: {} } },
      risk: {
        assets: [],
        holders: {},
        approvalTime: { standard: 86_400, emergency: 3600 },
        maxPriceAge: 86_400,
      },
    };
    return { config, projectDir: resolve(opts.searchDir) };
  }
  const shown = opts.file ?? path;
  const config = path.endsWith('.json')
    ? await parseConfig(readFileSync(path, 'utf8'), shown)
    : await validateConfig(await importUserModule(path), shown);
  return { config, path, projectDir: resolve(dirname(path), config.project) };
}
