/**
 * Calls encoded from the config (`{ "function": "initializeV2", "args": ["@guardian", "500"] }`) against a
 * contract's ABI, and the one upgrade call a patch makes: `ProxyAdmin.upgradeAndCall` or the UUPS proxy's
 * `upgradeToAndCall`, with the patch's initializer. `simulate` and `propose` build it here, so that what is
 * simulated is what is proposed.
 */
import { type Abi, type AbiParameter, type Address, encodeFunctionData, type Hex } from 'viem';
import type { CallConfig } from '../config/schema.js';
import { inputError } from '../core/errors.js';
import { upgradeCall } from '../govern/plan.js';
import { type DeployedContract, type DeployedSystem, resolveName } from './model.js';

export type ArgValue = string | number | boolean;

/** A contract's constructor arguments from the config, coerced to what its constructor takes (none: no arguments). */
export function constructorArgs(
  system: Pick<DeployedSystem, 'governance' | 'contracts'>,
  abi: Abi,
  values: readonly ArgValue[],
  where: string,
): unknown[] {
  const ctor = abi.find((x) => x.type === 'constructor');
  return coerceArgs(system, ctor?.type === 'constructor' ? ctor.inputs : [], values, `${where} constructor`);
}

/** Coerce config values to what the ABI wants (uint from decimal strings, addresses from `@names`). */
export function coerceArgs(
  system: Pick<DeployedSystem, 'governance' | 'contracts'>,
  inputs: readonly AbiParameter[],
  values: readonly ArgValue[],
  where: string,
): unknown[] {
  if (inputs.length !== values.length) {
    throw inputError(
      'bad-args',
      `${where} takes ${inputs.length} argument(s), the config gives ${values.length}`,
      'fix the args list in the config',
    );
  }
  return values.map((v, i) => {
    const type = inputs[i]?.type ?? '';
    if (typeof v === 'string' && v.startsWith('@')) return resolveName(system, v);
    if (/^u?int\d*$/.test(type)) {
      try {
        return BigInt(v as string | number);
      } catch {
        throw inputError(
          'bad-args',
          `${where}: argument ${i + 1} (${type}) is "${v}", not an integer`,
          'write integers as decimal strings',
        );
      }
    }
    return v;
  });
}

export function encodeCall(
  system: Pick<DeployedSystem, 'governance' | 'contracts'>,
  abi: Abi,
  call: CallConfig,
  where: string,
): Hex {
  const fn = abi.find((x) => x.type === 'function' && x.name === call.function);
  if (fn?.type !== 'function') {
    throw inputError(
      'unknown-function',
      `${where}: no function "${call.function}"`,
      'check the function name in the config',
    );
  }
  return encodeFunctionData({
    abi: [fn],
    functionName: fn.name,
    args: coerceArgs(system, fn.inputs, call.args, `${where}.${fn.name}`),
  });
}

/**
 * The call the timelock makes to upgrade `proxy` to `implementation`, running the patch's `upgrade` initializer
 * (encoded against the candidate's ABI) when it has one.
 */
export function patchUpgradeCall(
  system: Pick<DeployedSystem, 'governance' | 'contracts'>,
  proxy: DeployedContract & { proxyKind: 'transparent' | 'uups' },
  patch: { name: string; upgrade?: CallConfig | undefined },
  candidate: { abi: Abi; implementation: Address },
): { target: Address; data: Hex } {
  const init: Hex = patch.upgrade
    ? encodeCall(system, candidate.abi, patch.upgrade, `patch ${patch.name} upgrade`)
    : '0x';
  return upgradeCall({
    kind: proxy.proxyKind,
    proxy: proxy.address,
    ...(proxy.proxyAdmin ? { proxyAdmin: proxy.proxyAdmin } : {}),
    implementation: candidate.implementation,
    init,
  });
}
