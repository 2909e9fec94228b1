/**
 * `bytecode-selfdestruct`, `bytecode-delegatecall`, `bytecode-callcode`: the opcode is present in the
 * implementation's runtime bytecode (push data and the CBOR metadata are skipped), located in the source
 * through the compiler's source map. This sees what source-level checks miss (inline assembly, libraries
 * annotated as safe). A UUPS implementation always contains DELEGATECALL (upgradeToAndCall), so the
 * analyzer blocks only on opcodes the patch introduces.
 */
import { compiled } from '../../build/artifact.js';
import { codeLength } from '../../core/bytecode.js';
import type { Finding, Location } from '../../core/finding.js';
import type { FindingId } from '../../core/finding-ids.js';
import { type ContractView, enclosingAt } from '../ast.js';
import { makeFinding } from '../catalog.js';
import { type AllowKind, type Coverage, opcodeCoverage } from './opcode-allow.js';

const WATCHED: Record<number, { id: FindingId; name: string; why: string }> = {
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

/** The upgrades-core error kind whose allow annotations cover an opcode. */
const ALLOW_KIND = new Map<number, AllowKind>([
  [0xf4, 'delegatecall'],
  [0xff, 'selfdestruct'],
]);

export interface OpcodeHit {
  opcode: number;
  pc: number;
  /** Index of the instruction (source maps count instructions, not bytes). */
  instruction: number;
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

/** The source position (`start:length:file`) of an instruction, when the source map places it in a source. */
function srcOf(map: Array<[number, number, number]>, instruction: number): string | undefined {
  const entry = map[instruction];
  return entry && entry[2] >= 0 ? `${entry[0]}:${entry[1]}:${entry[2]}` : undefined;
}

/** Where an occurrence is: its line, and the contract or library and function that enclose it. */
function locationOf(view: ContractView, src: string | undefined, at?: Coverage['at']): Location {
  if (!src) return { file: view.handle.sourceName, line: view.lineOf(view.def), contract: view.def.name };
  const file = view.fileOfNode({ src });
  const line = view.lineOf({ src });
  const inside = at?.contract ? at : enclosingAt(view, file, line);
  return {
    file,
    line,
    contract: inside.contract ?? view.def.name,
    ...(inside.function ? { function: inside.function } : {}),
  };
}

interface Group {
  meta: (typeof WATCHED)[number];
  hits: { hit: OpcodeHit; src?: string }[];
  fn?: string;
  at?: Coverage['at'];
  /** The annotations allowing every occurrence of the group; empty when they are not allowed. */
  by: string[];
}

/**
 * One finding per opcode and enclosing function, split by whether `@custom:oz-upgrades-unsafe-allow(-reachable)`
 * allows it (opcode-allow.ts). Allowed ones are listed as acknowledged (non-blocking) with the annotation's
 * place; the others keep the catalogue's severity. The key carries the function, so a new occurrence in
 * another function is `introduced` even when the reference had the opcode elsewhere.
 */
export function dangerousOpcodes(view: ContractView): Finding[] {
  const { object, sourceMap } = compiled(view.handle).evm.deployedBytecode;
  if (!object) return [];
  const map = parseSourceMap(sourceMap ?? '');
  const limit = sourceMap ? map.length : Number.POSITIVE_INFINITY;
  const coverage = new Map<number, (src: string) => Coverage>();
  const coverageOf = (opcode: number, src: string): Coverage | undefined => {
    const kind = ALLOW_KIND.get(opcode);
    if (!kind) return undefined;
    const cover = coverage.get(opcode) ?? opcodeCoverage(view, kind);
    coverage.set(opcode, cover);
    return cover(src);
  };
  const groups = new Map<string, Group>();
  for (const hit of scanOpcodes(object, Object.keys(WATCHED).map(Number), limit)) {
    const meta = WATCHED[hit.opcode];
    if (!meta) continue;
    const src = sourceMap ? srcOf(map, hit.instruction) : undefined;
    // CALLCODE has no upgrades-core annotation; an unplaced instruction cannot be matched to one.
    const cov = src ? coverageOf(hit.opcode, src) : undefined;
    const by = cov?.by ?? [];
    const key = `${meta.name}:${cov?.function ?? '<unplaced>'}${by.length > 0 ? ':allowed' : ''}`;
    const group = groups.get(key) ?? { meta, hits: [], fn: cov?.function, at: cov?.at, by: [] };
    group.hits.push({ hit, src });
    group.by = [...new Set([...group.by, ...by])];
    groups.set(key, group);
  }
  const out: Finding[] = [];
  for (const [key, { meta, hits, fn, at, by }] of groups) {
    const first = hits[0] as { hit: OpcodeHit; src?: string };
    const where = fn ? ` in ${fn}` : '';
    const head = `${meta.name} appears ${hits.length}× in ${view.def.name}'s runtime bytecode${where} (first at pc ${first.hit.pc})`;
    if (by.length === 0) {
      out.push(
        makeFinding(meta.id, {
          message: `${head}: ${meta.why}.`,
          location: locationOf(view, first.src, at),
          key,
        }),
      );
      continue;
    }
    const reason = `allowed by ${by.join('; ')}`;
    out.push({
      ...makeFinding(meta.id, {
        message: `${head}, every occurrence ${reason} (as upgrades-core allows it); ${meta.why}.`,
        location: locationOf(view, first.src, at),
        blocking: false,
        key,
      }),
      acknowledged: true,
      acknowledgedReason: reason,
    });
  }
  return out;
}
