/**
 * `scan-timestamp-randomness`: block values (`block.timestamp`, `block.number`, `blockhash`, `block.prevrandao`,
 * `block.difficulty`) used as a source of randomness: hashed and then reduced (`uint256(keccak256(abi.encode(
 * block.timestamp, …))) % players.length`) or compared (`uint256(hash) < chance`), or taken modulo and tested for a
 * value (`block.timestamp % 15 == 0`) or used as an index. A validator chooses or withholds these values, and any
 * contract can compute them in the same transaction and call only when it wins (Meebits' rarity reroll, SWC-120's
 * roulette). Not reported: deadlines and time comparisons (`block.timestamp > deadline`), epoch arithmetic
 * (`block.timestamp - block.timestamp % 1 weeks`), ids hashed from a block value and used as a key, randomness
 * delivered by a VRF callback.
 */
import type { AnyNode } from '../../ast.js';
import { walk } from '../../ast.js';
import { codeOf } from '../../callgraph.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { dependencies, isMember } from './signature-sites.js';

const BLOCK_MEMBERS = ['timestamp', 'number', 'prevrandao', 'difficulty'];

function isBlockValue(n: AnyNode): boolean {
  if (BLOCK_MEMBERS.some((m) => isMember(n, 'block', m))) return true;
  if (n.nodeType === 'Identifier' && (n as { name?: string }).name === 'now') return true;
  if (n.nodeType === 'FunctionCall') {
    const callee = n.expression as AnyNode;
    return callee.nodeType === 'Identifier' && (callee as { name?: string }).name === 'blockhash';
  }
  return false;
}

const isHash = (n: AnyNode) =>
  n.nodeType === 'FunctionCall' &&
  (n.expression as AnyNode).nodeType === 'Identifier' &&
  ((n.expression as { name?: string }).name === 'keccak256' ||
    (n.expression as { name?: string }).name === 'sha256');

export const timestampRandomness: ScanDetector = {
  id: 'scan-timestamp-randomness',
  confidence: 'medium',
  run({ view, own }) {
    const hits: ScanHit[] = [];
    for (const c of own) {
      const code = [c];
      const sources = (e: AnyNode) => dependencies(view, e, c, code);
      const hashedBlock = (e: AnyNode) => {
        const deps = sources(e);
        return deps.some(isHash) && deps.some(isBlockValue);
      };
      const rawBlock = (e: AnyNode) => sources(e).some(isBlockValue);
      const parents = new Map<number, AnyNode>();
      walk(codeOf(c), (n) => {
        for (const v of Object.values(n)) {
          if (v && typeof v === 'object' && 'nodeType' in (v as object)) parents.set((v as AnyNode).id, n);
          if (Array.isArray(v))
            for (const x of v)
              if (x && typeof x === 'object' && 'nodeType' in x) parents.set((x as AnyNode).id, n);
        }
        return undefined;
      });
      walk(codeOf(c), (n) => {
        if (n.nodeType !== 'BinaryOperation') return undefined;
        const op = n.operator as string;
        const left = n.leftExpression as AnyNode;
        const right = n.rightExpression as AnyNode;
        let hit = false;
        if (op === '%') {
          const parent = parents.get(n.id);
          const tested =
            (parent?.nodeType === 'BinaryOperation' && ['==', '!='].includes(parent.operator as string)) ||
            parent?.nodeType === 'IndexAccess';
          hit = hashedBlock(left) || (tested && rawBlock(left));
        } else if (['<', '<=', '>', '>=', '=='].includes(op)) {
          hit = [left, right].some(
            (side) => side.nodeType === 'FunctionCall' && side.kind === 'typeConversion' && hashedBlock(side),
          );
        }
        if (!hit) return undefined;
        hits.push({
          node: n,
          within: c,
          message: `${c.name || 'this function'} draws an outcome from block values (timestamp, number, blockhash or prevrandao): a validator can pick them, and any contract can compute the result in the same transaction and call only when it wins.`,
        });
        return 'skip';
      });
    }
    return hits;
  },
};
