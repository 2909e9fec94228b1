/**
 * ERC-7201 namespaced storage: upgrades-core lays namespaces out from a second compilation of a modified
 * input (`makeNamespacedInput`) in which each namespaced struct becomes a state variable. We run that
 * compilation with the bundled solc-js when the unit was made with the same compiler version.
 */
import type { SolcInput, SolcOutput } from '@openzeppelin/upgrades-core';
import { environmentError, isPatchgateError } from '../core/errors.js';
import { writeNamespaced } from './cache.js';
import { bundledSolcVersion, compileStandardJson } from './solc.js';
import type { CompilationUnit } from './types.js';

const NAMESPACE_RE = /@custom:storage-location\s+erc7201:/;

export function hasNamespaces(input: SolcInput): boolean {
  return Object.values(input.sources).some((s) => s.content !== undefined && NAMESPACE_RE.test(s.content));
}

/** The namespaced output, or undefined when the unit's compiler version is not the bundled one. */
async function compileNamespaced(
  input: SolcInput,
  output: SolcOutput,
  solcVersion: string,
): Promise<SolcOutput | undefined> {
  if (solcVersion !== bundledSolcVersion()) return undefined;
  const { makeNamespacedInput, trySanitizeNatSpec } = await import('@openzeppelin/upgrades-core');
  try {
    // makeNamespacedInput leaves `input` alone and returns new sources. trySanitizeNatSpec (which edits in
    // place) drops NatSpec the dummy enums would orphan; its parser stops at solc 0.8.28, so for 0.8.30 it
    // returns the sources unchanged.
    const modified = makeNamespacedInput(input, output, solcVersion);
    const sanitized = await trySanitizeNatSpec(modified, solcVersion);
    return (await compileStandardJson(sanitized)).output;
  } catch (e) {
    // The modified input is upgrades-core's transformation of sources that compiled: its failure is ours.
    const why = isPatchgateError(e) ? e.shortMessage : String(e);
    throw environmentError(
      'namespaced-compile-failed',
      `the ERC-7201 namespaced compilation failed: ${why}`,
      undefined,
      e,
    );
  }
}

/**
 * Make sure `unit.namespacedOutput` is there when the unit has namespaces: compile it (and store the unit
 * back in the cache) if needed. Returns false when it cannot be produced (a solc version we do not ship).
 */
export async function ensureNamespaced(unit: CompilationUnit, stateDir?: string): Promise<boolean> {
  if (!unit.hasNamespaces || unit.namespacedOutput) return true;
  const output = await compileNamespaced(unit.input, unit.output, unit.solcVersion);
  if (!output) return false;
  unit.namespacedOutput = output;
  if (stateDir) writeNamespaced(stateDir, unit.key, output);
  return true;
}
