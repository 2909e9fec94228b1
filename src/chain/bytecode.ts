/**
 * Is the code at an address the audited build? Runtime bytecode compared with the compiler's output after
 * masking what legitimately differs: immutables (written at deployment, e.g. UUPS `__self`) and the trailing
 * CBOR metadata (a hash of the sources' metadata, not of the code).
 */
import type { Hex } from 'viem';
import type { CompiledBytecode } from '../build/artifact.js';
import { codeLength } from '../core/bytecode.js';

function bytes(hex: string): Uint8Array {
  return Buffer.from(hex.replace(/^0x/, ''), 'hex');
}

/** Runtime code without its metadata, immutable ranges zeroed. */
function maskedRuntime(
  hex: string,
  immutableReferences: CompiledBytecode['immutableReferences'] = {},
): Uint8Array {
  const code = bytes(hex);
  const masked = code.slice(0, codeLength(code));
  for (const refs of Object.values(immutableReferences)) {
    for (const { start, length } of refs) masked.fill(0, start, Math.min(start + length, masked.length));
  }
  return masked;
}

export interface BytecodeComparison {
  match: boolean;
  /** Byte offset of the first difference, when they differ. */
  firstDifference?: number;
  onChainLength: number;
  compiledLength: number;
}

export function compareRuntime(onChain: Hex, compiled: CompiledBytecode): BytecodeComparison {
  const a = maskedRuntime(onChain, compiled.immutableReferences);
  const b = maskedRuntime(compiled.object, compiled.immutableReferences);
  const n = Math.min(a.length, b.length);
  let first: number | undefined;
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      first = i;
      break;
    }
  }
  if (first === undefined && a.length !== b.length) first = n;
  return {
    match: first === undefined,
    ...(first !== undefined ? { firstDifference: first } : {}),
    onChainLength: a.length,
    compiledLength: b.length,
  };
}
