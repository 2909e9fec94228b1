/** Every custom error the project declares, as one ABI for decoding reverts (core/revert.ts). */
import type { Abi, AbiItem } from 'viem';
import { compiled } from './artifact.js';
import { allContracts } from './find.js';
import type { Project } from './types.js';

export function projectErrorsAbi(project: Project): Abi {
  const seen = new Set<string>();
  const out: AbiItem[] = [];
  for (const handle of allContracts(project)) {
    for (const item of compiled(handle).abi) {
      if (item.type !== 'error') continue;
      const key = JSON.stringify([item.name, item.inputs]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item as AbiItem);
    }
  }
  return out as Abi;
}
