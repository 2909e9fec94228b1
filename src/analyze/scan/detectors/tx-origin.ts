/**
 * `scan-tx-origin`: `tx.origin` compared with an account in a condition (`require(tx.origin == owner)`,
 * `if (tx.origin != admin) revert`, `isAdmin[tx.origin]`). Any contract the owner calls can then act as the
 * owner: a phishing contract the owner is lured into calling passes the check. `tx.origin == msg.sender`
 * (no contract in between) is not authorization and is not reported.
 */
import type { AnyNode } from '../../ast.js';
import { walk } from '../../ast.js';
import { codeOf } from '../../callgraph.js';
import type { ScanDetector, ScanHit } from '../detector.js';

function isMember(n: AnyNode | undefined, base: string, member: string): boolean {
  return (
    n?.nodeType === 'MemberAccess' &&
    n.memberName === member &&
    (n.expression as AnyNode | undefined)?.nodeType === 'Identifier' &&
    (n.expression as { name?: string }).name === base
  );
}

const isOrigin = (n: AnyNode | undefined) => isMember(n, 'tx', 'origin');
const isSender = (n: AnyNode | undefined) =>
  isMember(n, 'msg', 'sender') ||
  (n?.nodeType === 'FunctionCall' &&
    (n.expression as { name?: string } | undefined)?.name === '_msgSender' &&
    (n.arguments as unknown[]).length === 0);

/** `tx.origin` compared with (or used as the key of) something that is not the direct caller. */
function authorizationUse(n: AnyNode): boolean {
  if (n.nodeType === 'BinaryOperation' && (n.operator === '==' || n.operator === '!=')) {
    const [l, r] = [n.leftExpression as AnyNode, n.rightExpression as AnyNode];
    return (isOrigin(l) && !isSender(r)) || (isOrigin(r) && !isSender(l));
  }
  if (n.nodeType === 'IndexAccess') {
    const type = (n.typeDescriptions as { typeString?: string } | undefined)?.typeString;
    return type === 'bool' && isOrigin(n.indexExpression as AnyNode);
  }
  if (n.nodeType === 'FunctionCall') {
    // hasRole(role, tx.origin), _checkOwner(tx.origin), isAuthorized(tx.origin): a predicate on the origin.
    const type = (n.typeDescriptions as { typeString?: string } | undefined)?.typeString;
    return type === 'bool' && (n.arguments as AnyNode[]).some(isOrigin);
  }
  return false;
}

export const txOrigin: ScanDetector = {
  id: 'scan-tx-origin',
  confidence: 'high',
  run({ own }) {
    const hits: ScanHit[] = [];
    for (const fn of own) {
      walk(codeOf(fn), (n) => {
        if (!authorizationUse(n)) return undefined;
        hits.push({
          node: n,
          within: fn,
          message: `${fn.name || 'the fallback'} authorizes by tx.origin: any contract the account calls (a phishing token, an airdrop claim) passes this check as that account.`,
        });
        return 'skip';
      });
    }
    return hits;
  },
};
