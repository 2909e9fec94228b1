/**
 * `uups-unprotected-upgrade`: in UUPS the implementation decides who may upgrade, in
 * `_authorizeUpgrade`. An override without an access guard lets anyone replace the implementation.
 */
import type { FunctionDefinition } from 'solidity-ast';
import type { Finding } from '../../core/finding.js';
import { type ContractView, functionsNamed, locate, resolveVirtual } from '../ast.js';
import { callerGuard } from '../callgraph.js';
import { makeFinding } from '../catalog.js';

export function uupsUnprotectedUpgrade(view: ContractView): Finding[] {
  const declared = functionsNamed(view, '_authorizeUpgrade');
  const first = declared[0];
  if (!first) return [];
  const impl: FunctionDefinition = resolveVirtual(view, first);
  if (!impl.body) return [];
  if (callerGuard(view, impl).guarded) return [];
  return [
    makeFinding('uups-unprotected-upgrade', {
      message: `${view.def.name}._authorizeUpgrade has no access control: anyone can call upgradeToAndCall and replace the implementation.`,
      location: locate(view, impl, '_authorizeUpgrade'),
      key: '_authorizeUpgrade',
    }),
  ];
}
