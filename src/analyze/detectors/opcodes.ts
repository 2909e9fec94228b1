/**
 * `bytecode-selfdestruct`, `bytecode-delegatecall`, `bytecode-callcode`: the opcode is present in the
 * implementation's runtime bytecode (push data and the CBOR metadata are skipped), located in the source
 * through the compiler's source map. This sees what source-level checks miss (inline assembly, libraries
 * annotated as safe). A UUPS implementation always contains DELEGATECALL (upgradeToAndCall), so the
 * analyzer blocks only on opcodes the patch introduces.
 */
import { compiled } from '../../build/artifact.js';
import { type ContractView, enclosingAt } from '../ast.js';
import { makeFinding } from '../catalog.js';
import type { Finding, Location } from '../finding.js';

const WATCHED: Record<number, { id: string; name: string; why: string }> = {
  255: {
    id: 'bytecode-selfdestruct',
    name: 'SELFDESTRUCT',
    why: 'a selfdestruct reached through the proxy can brick it or move its ether',
  },
  244: {
    id: 'bytecode-delegatecall',
    name: 'DELEGATECALL',
    why: 'a delegatecall runs foreign code against the proxy storage',
  },
  242: {
    id: 'bytecode-callcode',
    name: 'CALLCODE',
    why: 'callcode runs foreign code against the proxy storage',
  },
};

export interface OpcodeHit {
  opcode: number;
  pc: number;
  /** Index of the instruction (source maps count instructions, not bytes). */
  instruction: number;
}

/** Length of the code part of a runtime bytecode: everything before the trailing CBOR metadata. */
export function codeLength(code: Uint8Array): number {
  if (code.length < 2) return code.length;
  const cborLength = ((code[code.length - 2] ?? 0) << 8) | (code[code.length - 1] ?? 0);
  const start = code.length - 2 - cborLength;
  // CBOR metadata from solc starts with a map header (0xa1..0xa5); otherwise there is none.
  if (start > 0 && (code[start] ?? 0) >= 0xa1 && (code[start] ?? 0) <= 0xa5) return start;
  return code.length;
}

/**
 * Opcodes among the instructions of a runtime bytecode. `maxInstructions` (the source map's length) stops
 * the walk before data the compiler appends after the code (constant blobs read with CODECOPY), whose
 * bytes are not instructions.
 */
export function scanOpcodes(
  hex: string,
  watched: Iterable<number>,
  maxInstructions = Number.POSITIVE_INFINITY,
): OpcodeHit[] {
  const want = new Set(watched);
  const code = Buffer.from(hex.replace(/^0x/, ''), 'hex');
  const end = codeLength(code);
  const hits: OpcodeHit[] = [];
  let instruction = 0;
  for (let pc = 0; pc < end && instruction < maxInstructions; instruction++) {
    const op = code[pc] as number;
    if (want.has(op)) hits.push({ opcode: op, pc, instruction });
    pc += op >= 0x60 && op <= 0x7f ? op - 0x5e : 1;
  }
  return hits;
}

/** Decompress a solc source map into [start, length, fileIndex] per instruction. */
export function parseSourceMap(map: string): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  let s = 0;
  let l = 0;
  let f = -1;
  for (const entry of map.split(';')) {
    const [ss, ll, ff] = entry.split(':');
    if (ss) s = Number(ss);
    if (ll) l = Number(ll);
    if (ff) f = Number(ff);
    out.push([s, l, f]);
  }
  return out;
}

export function dangerousOpcodes(view: ContractView): Finding[] {
  const { object, sourceMap } = compiled(view.handle).evm.deployedBytecode;
  if (!object) return [];
  const map = parseSourceMap(sourceMap ?? '');
  const byOpcode = new Map<number, OpcodeHit[]>();
  const limit = sourceMap ? map.length : Number.POSITIVE_INFINITY;
  for (const hit of scanOpcodes(object, Object.keys(WATCHED).map(Number), limit)) {
    byOpcode.set(hit.opcode, [...(byOpcode.get(hit.opcode) ?? []), hit]);
  }
  const out: Finding[] = [];
  for (const [opcode, hits] of byOpcode) {
    const meta = WATCHED[opcode];
    if (!meta) continue;
    const first = hits[0] as OpcodeHit;
    const entry = map[first.instruction];
    let location: Location = {
      file: view.handle.sourceName,
      line: view.lineOf(view.def),
      contract: view.def.name,
    };
    if (entry && entry[2] >= 0) {
      const src = { src: `${entry[0]}:${entry[1]}:${entry[2]}` };
      const file = view.fileOfNode(src);
      const line = view.lineOf(src);
      const inside = enclosingAt(view, file, line);
      location = {
        file,
        line,
        contract: inside.contract ?? view.def.name,
        ...(inside.function ? { function: inside.function } : {}),
      };
    }
    out.push(
      makeFinding(meta.id, {
        message: `${meta.name} appears ${hits.length}× in ${view.def.name}'s runtime bytecode (first at pc ${first.pc}): ${meta.why}.`,
        location,
        key: meta.name,
      }),
    );
  }
  return out;
}
