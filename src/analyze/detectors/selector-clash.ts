/**
 * `selector-clash`: a function of the implementation whose selector equals one of the proxy's own
 * functions is shadowed by the proxy (or shadows it). For an OpenZeppelin v5 TransparentUpgradeableProxy
 * the admin interface is `upgradeToAndCall(address,bytes)`; an implementation exposing it (a UUPS
 * implementation behind a transparent proxy) is unreachable for the admin and confuses every tool.
 */
import { compiled } from '../../build/artifact.js';
import type { Finding } from '../../core/finding.js';
import { selectorOf } from '../abi.js';
import type { ContractView } from '../ast.js';
import { locate } from '../ast.js';
import { makeFinding } from '../catalog.js';
import type { ProxyKind } from '../upgrades.js';

const PROXY_INTERFACES: Record<ProxyKind, string[]> = {
  transparent: ['upgradeToAndCall(address,bytes)'],
  // ERC1967Proxy (UUPS) and BeaconProxy expose no functions of their own in OpenZeppelin v5.
  uups: [],
  beacon: [],
};

export function selectorClash(view: ContractView, kind: ProxyKind): Finding[] {
  const out: Finding[] = [];
  const methods = compiled(view.handle).evm.methodIdentifiers;
  for (const signature of PROXY_INTERFACES[kind]) {
    const selector = selectorOf(signature).slice(2);
    const clash = Object.entries(methods).find(([, sel]) => sel === selector);
    if (!clash) continue;
    const fn = view.externalFunctions.get(selector);
    out.push(
      makeFinding('selector-clash', {
        message: `${view.def.name}.${clash[0]} has selector 0x${selector}, the same as the ${kind} proxy's own ${signature}: calls with it never reach the implementation from the proxy admin.`,
        location: fn ? locate(view, fn, fn.name) : locate(view, view.def),
        key: selector,
      }),
    );
  }
  return out;
}
