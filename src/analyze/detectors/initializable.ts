/**
 * `implementation-initializable`: an Initializable implementation must lock itself in its constructor
 * with `_disableInitializers()`; otherwise anyone can call `initialize` on the implementation contract
 * itself, become its admin and (UUPS) upgrade it to a selfdestructing contract — Wormhole, 2022.
 */

import type { Finding } from '../../core/finding.js';
import { type ContractView, constructors, functionLabel, inherits, locate } from '../ast.js';
import { reachesNode } from '../callgraph.js';
import { makeFinding } from '../catalog.js';

export function implementationInitializable(view: ContractView): Finding[] {
  if (!inherits(view, 'Initializable') || view.def.abstract) return [];
  const ctors = constructors(view);
  const locks = ctors.some((ctor) =>
    reachesNode(
      view,
      ctor,
      (n) =>
        n.nodeType === 'FunctionCall' &&
        (n.expression as { name?: string; memberName?: string }).name === '_disableInitializers',
    ),
  );
  if (locks) return [];
  const own = ctors.find((c) => view.ownerOf.get(c.id)?.id === view.def.id);
  const where = own ?? view.def;
  return [
    makeFinding('implementation-initializable', {
      message: own
        ? `${view.def.name}'s constructor does not call _disableInitializers(): the implementation contract itself can be initialized by anyone.`
        : `${view.def.name} has no constructor calling _disableInitializers(): the implementation contract itself can be initialized by anyone.`,
      location: locate(view, where, own ? functionLabel(own) : undefined),
      key: 'implementation',
    }),
  ];
}
