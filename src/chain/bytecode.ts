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

/** Hex of a compiled object with its library placeholders (`__$…$__`) zeroed, as bytes. */
function objectBytes(hex: string): Uint8Array {
  return bytes(hex.replace(/__\$[0-9a-fA-F]{34}\$__/g, '0'.repeat(40)));
}

export interface RuntimeMatch extends BytecodeComparison {
  /** Bytes equal at the same offset (masked): how close a build that does not match is. */
  sameBytes: number;
  /** The metadata (CBOR) is equal too: the very same sources and settings, not only the same code. */
  exact: boolean;
  /** Each linked library's address as the on-chain code holds it (when the match needed libraries). */
  libraries: Record<string, Hex>;
}

/**
 * `compareRuntime` for a build that may link libraries: every link reference of the compiled code is masked, and
 * the on-chain code must hold one and the same address at every reference to one library (else no match).
 */
export function matchRuntime(onChain: Hex, compiled: CompiledBytecode): RuntimeMatch {
  const chainCode = bytes(onChain);
  const built = objectBytes(compiled.object);
  const a = chainCode.slice(0, codeLength(chainCode));
  const b = built.slice(0, codeLength(built));
  const mask = (code: Uint8Array, start: number, length: number) =>
    code.fill(0, start, Math.min(start + length, code.length));
  const libraries: Record<string, Hex> = {};
  let consistent = true;
  for (const [file, libs] of Object.entries(compiled.linkReferences ?? {})) {
    for (const [name, refs] of Object.entries(libs)) {
      for (const { start, length } of refs) {
        const linked = `0x${Buffer.from(a.subarray(start, start + length)).toString('hex')}` as Hex;
        const key = `${file}:${name}`;
        if (libraries[key] !== undefined && libraries[key] !== linked) consistent = false;
        libraries[key] = linked;
        mask(a, start, length);
        mask(b, start, length);
      }
    }
  }
  for (const refs of Object.values(compiled.immutableReferences ?? {})) {
    for (const { start, length } of refs) {
      mask(a, start, length);
      mask(b, start, length);
    }
  }
  const n = Math.min(a.length, b.length);
  let first: number | undefined;
  let sameBytes = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) sameBytes++;
    else first ??= i;
  }
  if (first === undefined && a.length !== b.length) first = n;
  if (first === undefined && !consistent) first = 0;
  const match = first === undefined;
  return {
    match,
    ...(first !== undefined ? { firstDifference: first } : {}),
    onChainLength: a.length,
    compiledLength: b.length,
    sameBytes,
    exact: match && Buffer.from(chainCode.subarray(a.length)).equals(Buffer.from(built.subarray(b.length))),
    libraries,
  };
}
