/**
 * The values generated calls are made of, read from the system and the config: the system's addresses (its
 * contracts, the Safe and the timelock, the accounts the setup and replay use, the attacker and the guardian),
 * the integers and 32-byte words the setup, replay and invariants use. Each address has a name for the report.
 */
import { type Address, type Hex, zeroAddress } from 'viem';
import type { Config } from '../../config/schema.js';
import { accountFor, type DeployedSystem } from '../../system/model.js';
import type { ValuePools } from './arbitraries.js';

export interface FuzzValues {
  pools: ValuePools;
  /** Who sends the calls: a plain user first (the simplest sender to shrink towards), then the privileged ones. */
  senders: Address[];
  /** `@token`, `@user:1`, `@timelock` by lowercase address. */
  names: Map<string, string>;
}

export function fuzzValues(config: Config, system: DeployedSystem): FuzzValues {
  const steps = [...(config.system?.setup ?? []), ...config.replay];
  const args = [...steps.flatMap((s) => s.args), ...config.invariants.flatMap((i) => i.args)].map(String);
  const accounts = new Set(['user:1']);
  for (const s of steps) if (/^user:\d+$/.test(s.from)) accounts.add(s.from);
  for (const a of args) if (/^@user:\d+$/.test(a)) accounts.add(a.slice(1));
  for (const extra of ['attacker', 'guardian', 'deployer']) accounts.add(extra);
  const names = new Map<string, string>();
  const name = (address: Address, label: string) => {
    if (!names.has(address.toLowerCase())) names.set(address.toLowerCase(), `@${label}`);
    return address;
  };
  const contracts = [...system.contracts.values()].map((c) => name(c.address, c.name));
  const governance = [
    name(system.governance.timelock, 'timelock'),
    name(system.governance.safe, 'safe'),
    ...system.owners.map((o, i) => name(o.address, `owner:${i + 1}`)),
  ];
  const people = [...accounts].map((a) => name(accountFor(a).address, a));
  name(zeroAddress, 'zero');
  const integers = [...new Set(args.filter((a) => /^\d+$/.test(a)).map(BigInt))];
  const words = [...new Set(args.filter((a) => /^0x[0-9a-fA-F]{64}$/.test(a)))] as Hex[];
  return {
    pools: { addresses: [...contracts, ...governance, ...people, zeroAddress], integers, words },
    senders: [...people, ...governance],
    names,
  };
}
