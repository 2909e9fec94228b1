/**
 * `state-uninitialized`: the patch adds a state variable that the code reads, but nothing that runs during
 * the upgrade assigns it. A live proxy never runs `initializer` again; only a `reinitializer(n)` newer than
 * the live version (called through the upgrade calldata) can set it. Until someone does, it holds its
 * zero value — Ronin (2022) style: an authorization check that reads an unset threshold or signer is vacuous.
 * Mappings, dynamic arrays, strings and bytes start empty by design and are not reported.
 */

import type { StorageLayout } from '@openzeppelin/upgrades-core';
import type { FunctionDefinition, VariableDeclaration } from 'solidity-ast';
import { type AnyNode, type ContractView, locate, walk } from '../ast.js';
import { initializerVersion, reachesNode } from '../callgraph.js';
import { makeFinding } from '../catalog.js';
import type { Finding } from '../finding.js';

const EMPTY_BY_DESIGN = /^t_(mapping|array\(.*\)dyn_storage|string_storage|bytes_storage)/;

function rootDeclaration(node: AnyNode | undefined): number | undefined {
  let cur = node;
  while (cur) {
    if (cur.nodeType === 'Identifier')
      return (cur as { referencedDeclaration?: number }).referencedDeclaration;
    if (cur.nodeType === 'IndexAccess') cur = cur.baseExpression as AnyNode;
    else if (cur.nodeType === 'MemberAccess') cur = cur.expression as AnyNode;
    else return undefined;
  }
  return undefined;
}

/** Does this node write to the state variable `id`? */
export function writesTo(n: AnyNode, id: number): boolean {
  if (n.nodeType === 'Assignment') return rootDeclaration(n.leftHandSide as AnyNode) === id;
  if (n.nodeType === 'UnaryOperation' && ['++', '--', 'delete'].includes(n.operator as string)) {
    return rootDeclaration(n.subExpression as AnyNode) === id;
  }
  if (n.nodeType === 'FunctionCall') {
    const callee = n.expression as AnyNode;
    if (callee.nodeType === 'MemberAccess' && ['push', 'pop'].includes(callee.memberName as string)) {
      return rootDeclaration(callee.expression as AnyNode) === id;
    }
  }
  return false;
}

function stateVariable(view: ContractView, label: string): VariableDeclaration | undefined {
  for (const base of view.linearized) {
    for (const node of base.nodes) {
      if (node.nodeType === 'VariableDeclaration' && node.stateVariable && node.name === label) {
        if (node.constant || node.mutability === 'immutable') continue;
        return node;
      }
    }
  }
  return undefined;
}

function isRead(view: ContractView, id: number): boolean {
  let read = false;
  for (const base of view.linearized) {
    walk(base.nodes, (n) => {
      if (read) return 'skip';
      if (
        n.nodeType === 'Identifier' &&
        (n as { referencedDeclaration?: number }).referencedDeclaration === id
      ) {
        read = true;
      }
      return undefined;
    });
  }
  return read;
}

function initializers(view: ContractView): Array<{ fn: FunctionDefinition; version: number }> {
  const out: Array<{ fn: FunctionDefinition; version: number }> = [];
  for (const base of view.linearized) {
    for (const node of base.nodes) {
      if (node.nodeType !== 'FunctionDefinition' || !node.body) continue;
      const version = initializerVersion(view, node);
      if (version !== undefined) out.push({ fn: node, version });
    }
  }
  return out;
}

export function uninitializedState(
  reference: ContractView,
  candidate: ContractView,
  referenceLayout: StorageLayout,
  candidateLayout: StorageLayout,
): Finding[] {
  const before = new Set(referenceLayout.storage.map((item) => item.label));
  const liveVersion = Math.max(0, ...initializers(reference).map((i) => i.version));
  const upgradeInitializers = initializers(candidate).filter((i) => i.version > liveVersion);
  const out: Finding[] = [];
  for (const item of candidateLayout.storage) {
    if (before.has(item.label) || EMPTY_BY_DESIGN.test(item.type)) continue;
    const decl = stateVariable(candidate, item.label);
    if (!decl || decl.value) continue; // an inline initial value is upgrades-core's `state-variable-assignment`
    if (!isRead(candidate, decl.id)) continue;
    const setBy = upgradeInitializers.find((i) => reachesNode(candidate, i.fn, (n) => writesTo(n, decl.id)));
    if (setBy) continue;
    const owner = candidate.ownerOf.get(decl.id)?.name ?? candidate.def.name;
    out.push(
      makeFinding('state-uninitialized', {
        message:
          upgradeInitializers.length === 0
            ? `${owner}.${item.label} is new state read by the code, but the patch has no reinitializer newer than version ${liveVersion} to set it: it stays ${zeroOf(item.type)} on the live proxy.`
            : `${owner}.${item.label} is new state read by the code, but no reinitializer run by the upgrade (${upgradeInitializers.map((i) => `${i.fn.name}@${i.version}`).join(', ')}) assigns it: it stays ${zeroOf(item.type)} on the live proxy.`,
        location: locate(candidate, decl),
        status: 'introduced',
        key: item.label,
      }),
    );
  }
  return out;
}

function zeroOf(type: string): string {
  if (type.startsWith('t_address') || type.startsWith('t_contract')) return 'address(0)';
  if (type === 't_bool') return 'false';
  if (/^t_u?int/.test(type)) return '0';
  return 'zero';
}
