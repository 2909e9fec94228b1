/** Typed access to what solc produced for one contract (upgrades-core's SolcOutput type is narrower). */
import type { ContractHandle } from './types.js';

export interface CompiledBytecode {
  object: string;
  sourceMap?: string;
  linkReferences?: Record<string, Record<string, { start: number; length: number }[]>>;
  immutableReferences?: Record<string, { start: number; length: number }[]>;
}

export interface CompiledContract {
  abi: readonly { type: string; name?: string; [k: string]: unknown }[];
  evm: {
    bytecode: CompiledBytecode;
    deployedBytecode: CompiledBytecode;
    methodIdentifiers: Record<string, string>;
  };
  metadata?: string;
}

export function compiled(handle: ContractHandle): CompiledContract {
  const raw = handle.unit.output.contracts?.[handle.sourceName]?.[handle.name] as
    | Partial<CompiledContract>
    | undefined;
  return {
    abi: raw?.abi ?? [],
    evm: {
      bytecode: raw?.evm?.bytecode ?? { object: '' },
      deployedBytecode: raw?.evm?.deployedBytecode ?? { object: '' },
      methodIdentifiers: raw?.evm?.methodIdentifiers ?? {},
    },
    metadata: raw?.metadata,
  };
}
