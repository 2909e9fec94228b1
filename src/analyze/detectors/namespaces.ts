/** ERC-7201 namespaces: the `@custom:storage-location erc7201:<id>` structs of a contract and the slot each id names. */
import type { StructDefinition } from 'solidity-ast';
import { keccakBytesHex, keccakHex } from '../abi.js';
import type { ContractView } from '../ast.js';

export interface Namespace {
  id: string;
  struct: StructDefinition;
  contract: string;
}

const LOCATION = /@custom:storage-location\s+(\S+)/;

/** The ERC-7201 slot of a namespace id: keccak256(keccak256(id) - 1) & ~0xff. */
export function erc7201Slot(id: string): bigint {
  const inner = BigInt(keccakHex(id)) - 1n;
  return BigInt(keccakBytesHex(inner.toString(16).padStart(64, '0'))) & ~0xffn;
}

/** Every `@custom:storage-location` struct of the linearization, most derived contract first. */
export function namespacesIn(view: ContractView): Namespace[] {
  const out: Namespace[] = [];
  for (const base of view.linearized) {
    for (const node of base.nodes) {
      if (node.nodeType !== 'StructDefinition') continue;
      const doc = typeof node.documentation === 'object' && node.documentation ? node.documentation.text : '';
      const id = LOCATION.exec(doc ?? '')?.[1];
      if (id) out.push({ id, struct: node, contract: base.name });
    }
  }
  return out;
}
