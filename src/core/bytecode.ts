/** What every reader of EVM bytecode agrees on, below the layers that read it (chain/, analyze/). */

/** Length of the code part of a runtime bytecode: everything before the trailing CBOR metadata. */
export function codeLength(code: Uint8Array): number {
  if (code.length < 2) return code.length;
  const cborLength = ((code[code.length - 2] ?? 0) << 8) | (code[code.length - 1] ?? 0);
  const start = code.length - 2 - cborLength;
  // CBOR metadata from solc starts with a map header (0xa1..0xa5); otherwise there is none.
  if (start > 0 && (code[start] ?? 0) >= 0xa1 && (code[start] ?? 0) <= 0xa5) return start;
  return code.length;
}
