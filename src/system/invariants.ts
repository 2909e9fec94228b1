/**
 * Invariants: view calls on the deployed system compared with a value (`vault.feeRecipient() == @timelock`,
 * `vault.totalAssets() >= 60000000000`). A call that reverts or a function that does not exist is a broken
 * invariant, not a skipped one.
 */

import type { Abi, AbiFunction, Address } from 'viem';
import { findContract } from '../build/find.js';
import type { Project } from '../build/types.js';
import type { Clients } from '../chain/clients.js';
import { abiOf, deploy } from '../chain/deploy.js';
import { rethrowTransportFailure } from '../chain/rpc.js';
import type { InvariantConfig } from '../config/schema.js';
import { inputError } from '../core/errors.js';
import { describeRevert, revertData } from '../core/revert.js';
import { coerceArgs, constructorArgs } from './encode.js';
import { accountFor, type DeployedSystem, resolveName } from './model.js';

export interface InvariantCheck {
  held: boolean;
  /** The value read (decimal for integers), or why it could not be read. */
  actual: string;
}

function normalize(v: unknown): string | bigint | boolean {
  if (typeof v === 'bigint' || typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v)) return v.toLowerCase();
  return String(v);
}

/**
 * Whether `actual` (the value read) stands in relation `op` to `expected`: integers compare as integers, addresses
 * case-insensitively, anything else only with == and != (another operator is bad input naming both values).
 * Shared with the watcher's invariant rule (watch/rules/invariants.ts), so a config means the same on both.
 */
export function compareInvariant(op: InvariantConfig['op'], actual: unknown, expected: unknown): boolean {
  const a = normalize(actual);
  const e = normalize(expected);
  if (typeof a === 'bigint' && typeof e === 'bigint') {
    return { '==': a === e, '!=': a !== e, '>': a > e, '>=': a >= e, '<': a < e, '<=': a <= e }[op];
  }
  if (op === '==') return a === e;
  if (op === '!=') return a !== e;
  throw inputError(
    'bad-invariant',
    `invariant operator ${op} needs integers, got ${String(actual)} and ${String(expected)}`,
    'use == or != for addresses, booleans and strings',
  );
}

/** An invariant with its names resolved: the call to make and the value to compare with. */
export interface ResolvedInvariant {
  name: string;
  address: Address;
  fn: AbiFunction;
  args: readonly unknown[];
  op: InvariantConfig['op'];
  expected: unknown;
}

/**
 * The call an invariant makes, against the system: target address, the function in `abi` (undefined when this
 * version has none), arguments and expected value with `@names` resolved and integers as bigint.
 */
export function resolveInvariant(
  system: DeployedSystem,
  inv: InvariantConfig,
  abi: Abi,
): ResolvedInvariant | undefined {
  const target = system.contracts.get(inv.target);
  if (!target)
    throw inputError(
      'unknown-contract',
      `invariant ${inv.name}: target "${inv.target}" is not deployed`,
      `deployed: ${[...system.contracts.keys()].join(', ')}`,
    );
  const fn = abi.find((x): x is AbiFunction => x.type === 'function' && x.name === inv.function);
  if (!fn) return undefined;
  const args = coerceArgs(system, fn.inputs, inv.args, `invariant ${inv.name}`);
  const outType = fn.outputs[0]?.type ?? '';
  let expected: unknown = inv.value;
  if (typeof inv.value === 'string' && inv.value.startsWith('@')) expected = resolveName(system, inv.value);
  else if (/^u?int\d*$/.test(outType)) expected = BigInt(inv.value as string | number);
  return { name: inv.name, address: target.address, fn, args, op: inv.op, expected };
}

export async function checkInvariant(
  clients: Clients,
  system: DeployedSystem,
  inv: InvariantConfig,
  abi: Abi,
): Promise<InvariantCheck> {
  const resolved = resolveInvariant(system, inv, abi);
  if (!resolved) return { held: false, actual: `no function ${inv.function}() in this version` };
  let actual: unknown;
  try {
    actual = await clients.public.readContract({
      address: resolved.address,
      abi: [resolved.fn],
      functionName: resolved.fn.name,
      args: resolved.args,
    });
  } catch (e) {
    // A node that did not answer is not an invariant that reverted: fail as the environment, not as the patch.
    rethrowTransportFailure(e);
    return { held: false, actual: `reverted: ${describeRevert(revertData(e), abi)}` };
  }
  return {
    held: compareInvariant(inv.op, actual, resolved.expected),
    actual: typeof actual === 'bigint' ? actual.toString() : String(actual),
  };
}

/**
 * Deploy the config's Solidity invariant contracts next to the system (registered under their contract
 * name) and turn each `invariant_*()` function into an invariant that must return true.
 */
export async function deployInvariantContracts(
  clients: Clients,
  project: Project,
  system: DeployedSystem,
  specs: readonly { contract: string; args: readonly (string | number | boolean)[] }[],
): Promise<InvariantConfig[]> {
  const out: InvariantConfig[] = [];
  for (const spec of specs) {
    const handle = findContract(project, spec.contract);
    const abi = abiOf(handle);
    const args = constructorArgs(system, abi, spec.args, handle.name);
    const address = await deploy(clients.wallet(accountFor('deployer')), clients.public, handle, args);
    system.contracts.set(handle.name, { name: handle.name, address, abi });
    const fns = abi.filter((x): x is AbiFunction => x.type === 'function' && x.name.startsWith('invariant_'));
    if (fns.length === 0) {
      throw inputError(
        'no-invariants',
        `${handle.name} has no invariant_*() function`,
        'name each property function invariant_<what>() returning bool',
      );
    }
    for (const fn of fns) {
      out.push({
        name: `${handle.name}.${fn.name}`,
        target: handle.name,
        function: fn.name,
        args: [],
        op: '==',
        value: true,
      });
    }
  }
  return out;
}
