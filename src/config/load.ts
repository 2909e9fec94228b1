import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inputError } from '../errors.js';
import type { Config } from './schema.js';

export const CONFIG_FILE = 'patchgate.config.json';

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

/** Parse and validate a config text; errors name the file and the bad key. */
export async function parseConfig(text: string, file: string): Promise<Config> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw inputError(
      'config-invalid',
      `${file} is not valid JSON: ${(e as Error).message}`,
      'fix the JSON syntax',
    );
  }
  // zod loads only when there is a config to validate (a plain `check` stays fast).
  const { configSchema } = await import('./schema.js');
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? formatPath(issue.path) : '';
    const keys = issue && 'keys' in issue ? ` ${(issue.keys as string[]).join(', ')}` : '';
    throw inputError(
      'config-invalid',
      `${file}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}${keys && !issue?.message.includes(keys.trim()) ? ` (${keys.trim()})` : ''}`,
      'see README for the config format',
      parsed.error.issues.slice(1).map((i) => `${formatPath(i.path)}: ${i.message}`),
    );
  }
  return parsed.data;
}

/**
 * Load `--config FILE`, or `patchgate.config.json` in `searchDir` if present, or defaults.
 * A given file that does not exist is an error; an absent default file is not.
 */
export async function loadConfig(opts: { file?: string; searchDir: string }): Promise<LoadedConfig> {
  const path = opts.file ? resolve(opts.file) : resolve(opts.searchDir, CONFIG_FILE);
  if (!existsSync(path)) {
    if (opts.file) {
      throw inputError(
        'config-not-found',
        `config file ${opts.file} does not exist`,
        'check the --config path',
      );
    }
    const config: Config = {
      project: '.',
      contracts: {},
      patches: [],
      acknowledge: [],
      pocs: [],
      invariants: [],
      replay: [],
      invariantContracts: [],
    };
    return { config, projectDir: resolve(opts.searchDir) };
  }
  const config = await parseConfig(readFileSync(path, 'utf8'), opts.file ?? path);
  return { config, path, projectDir: resolve(dirname(path), config.project) };
}
