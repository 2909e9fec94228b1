/**
 * Foundry (`out/build-info/*.json`, `_format: ethers-rs-sol-build-info-1`) and Hardhat
 * (`artifacts/build-info/*.json`, `_format: hh-sol-build-info-1`; Hardhat 3 may keep the output in a
 * sibling `<id>.output.json`) build-info files, validated before use.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SolcInput, SolcOutput } from '@openzeppelin/upgrades-core';
import { inputError } from '../core/errors.js';
import { foundryConfig } from './foundry-toml.js';
import { shortVersion } from './solc.js';

export interface BuildInfo {
  file: string;
  bytes: Buffer;
  solcVersion: string;
  solcLongVersion: string;
  input: SolcInput;
  output: SolcOutput;
}

/** `out` from foundry.toml's active profile (forge's default `out`). */
export function foundryOutDir(dir: string): string {
  const out = foundryConfig(dir, 'out');
  return typeof out === 'string' && out ? out : 'out';
}

export function listBuildInfo(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.output.json'))
    .sort()
    .map((f) => join(dir, f));
}

export function readBuildInfo(file: string): BuildInfo {
  const bytes = readFileSync(file);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw inputError(
      'build-info-corrupt',
      `build-info ${file} is not valid JSON (${(e as Error).message})`,
      'rebuild the project (forge build --build-info / npx hardhat compile --force)',
    );
  }
  if (raw === null || typeof raw !== 'object') {
    throw inputError('build-info-corrupt', `build-info ${file} is not a JSON object`, 'rebuild the project');
  }
  let output = raw.output as SolcOutput | undefined;
  const sibling = file.replace(/\.json$/, '.output.json');
  if (output === undefined && existsSync(sibling)) {
    try {
      output = (JSON.parse(readFileSync(sibling, 'utf8')) as { output?: SolcOutput }).output;
    } catch {
      throw inputError(
        'build-info-corrupt',
        `build-info output ${sibling} is not valid JSON`,
        'rebuild the project',
      );
    }
  }
  for (const [key, value] of [
    ['input', raw.input],
    ['output', output],
  ] as const) {
    if (value === undefined || value === null || typeof value !== 'object') {
      throw inputError(
        'build-info-corrupt',
        `build-info ${file} has no "${key}"`,
        'rebuild with full build-info (forge build --build-info, or Hardhat compile)',
      );
    }
  }
  // Forge 1.x records its own keys beside the standard ones (`version`, `allowPaths`, `basePath`,
  // `includePaths`); solc rejects them, so a recompilation of this input (ERC-7201 namespaces) would fail.
  const { language, sources, settings } = raw.input as SolcInput & { language?: string; settings?: unknown };
  const input = { language, sources, ...(settings !== undefined ? { settings } : {}) } as SolcInput;
  if (!input.sources || !(output as SolcOutput).sources) {
    throw inputError('build-info-corrupt', `build-info ${file} has no sources`, 'rebuild the project');
  }
  const noAst = Object.keys(input.sources).find(
    (name) => (output as SolcOutput).sources[name]?.ast === undefined,
  );
  if (noAst !== undefined) {
    throw inputError(
      'build-info-corrupt',
      `build-info ${file} has no AST for ${noAst}`,
      'rebuild with the AST in the build-info (Foundry: ast = true and build_info = true in foundry.toml)',
    );
  }
  const long = String(raw.solcLongVersion ?? raw.solcVersion ?? '');
  if (!long) {
    throw inputError(
      'build-info-corrupt',
      `build-info ${file} does not say which solc made it`,
      'rebuild the project',
    );
  }
  const solcErrors = (
    (output as { errors?: { severity: string; formattedMessage?: string; message: string }[] }).errors ?? []
  ).filter((e) => e.severity === 'error');
  if (solcErrors.length > 0) {
    throw inputError(
      'compile-failed',
      `build-info ${file} records a failed compilation:\n${solcErrors.map((e) => e.formattedMessage ?? e.message).join('\n')}`,
      'fix the Solidity error and rebuild',
    );
  }
  return {
    file,
    bytes,
    solcVersion: shortVersion(String(raw.solcVersion ?? long)),
    solcLongVersion: long,
    input,
    output: output as SolcOutput,
  };
}
