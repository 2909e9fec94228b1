/**
 * `scan-unprotected-function`: a public or external function of the team's code that anyone can call (no access
 * guard: callgraph.ts `callerGuard`) and that does something only the protocol's operators should do:
 * - sets an authority or configuration variable — one read by an access check (`require(msg.sender == owner)`,
 *   `isMinter[msg.sender]`) or named like one (owner, admin, role, fee, oracle, implementation, signer …) — to a
 *   value the caller chooses; membership mappings (`isMinter[account] = true`) count, writes keyed by the caller
 *   (`balances[msg.sender]`) or by a token id (`ownerOf[id]`) do not;
 * - grants or revokes a role, transfers ownership, upgrades the implementation, selfdestructs;
 * - mints for an amount or account the caller chooses without being paid (no `msg.value`, no tokens pulled);
 * - moves the contract's funds to an address the caller chooses (or to the caller) without debiting the
 *   caller's own balance, burning their shares or calling the receiver back (a flash loan);
 * - is an `init…` function without `initializer` and without a run-once check: anyone can re-initialize it.
 * Silent on functions authorized otherwise: a run-once check on what they write (`require(owner ==
 * address(0))`, `if (initialized) revert`), a signature or Merkle proof (the signature detectors judge those).
 * Judges one version; `check`'s `access-control-missing` / `-removed` judge a guard a patch dropped.
 */
import type { FunctionDefinition, VariableDeclaration } from 'solidity-ast';
import { type AnyNode, type ContractView, entryPoints, functionLabel, walk } from '../../ast.js';
import { CALLER, type Env, flagsOf, INPUT, localFlags } from '../../caller-flags.js';
import { type Callable, callerGuard, codeOf, initializingOnly, reachable } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import { writesStorage, writtenExpressions } from '../../state-access.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { addAll, authorityVariables, calleeName, isMsg, rootOf, unsetChecks } from './privileged-state.js';

/** Words of a variable name that make it an authority or configuration variable. */
const PRIVILEGED_WORDS = new Set(
  (
    'owner owners admin admins governor governance guardian guardians operator operators minter minters ' +
    'signer signers validator validators oracle oracles feed implementation impl beacon fee fees ' +
    'treasury keeper keepers role roles authority authorized controller manager upgrader pauser whitelist ' +
    'whitelisted allowlist trusted verifier relayer required threshold quorum'
  ).split(' '),
);

/** Internal calls that hand out or take away control. */
const CONTROL_CALLS: Record<string, string> = {
  _grantRole: 'grants a role',
  _setupRole: 'grants a role',
  _revokeRole: 'revokes a role',
  _setRoleAdmin: 'changes a role admin',
  _transferOwnership: 'transfers ownership',
  _changeAdmin: 'changes the proxy admin',
  upgradeToAndCall: 'upgrades the implementation',
  _upgradeToAndCall: 'upgrades the implementation',
  upgradeBeaconToAndCall: 'upgrades the beacon',
  _setImplementation: 'upgrades the implementation',
  _setBeacon: 'upgrades the beacon',
};

/** Calls that authorize by a signature or a proof rather than by the caller. */
const PROOF_CALLS = new Set(
  'ecrecover recover tryRecover isValidSignatureNow isValidERC1271SignatureNow isValidSignature verify verifyCalldata multiProofVerify multiProofVerifyCalldata processProof'.split(
    ' ',
  ),
);

/** Calls that show the caller pays or is debited. */
const PAYMENT_CALLS = new Set(['transferFrom', 'safeTransferFrom', '_spendAllowance', '_burn', 'permit']);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/_+/)
    .filter(Boolean);
}

interface Privileged {
  node: AnyNode;
  text: string;
  critical: boolean;
}

interface FunctionFacts {
  /** Privileged effects, each on the node of the callable that holds it. */
  effects: Array<Privileged & { callable: Callable }>;
  writes: Set<number>;
  unset: Set<number>;
  paid: boolean;
  callerKeyedWrite: boolean;
  /** Declarations used as keys of storage writes: a payout to `account` that zeroes `rewards[account]` is its own. */
  writeKeys: Set<number>;
  proof: boolean;
  /** Declarations (by id) the function calls a method on other than a plain transfer: a flash-loan receiver. */
  calledBack: Set<number>;
}

function rootDeclId(e: AnyNode | undefined): number | undefined {
  let x = e;
  while (x && x.nodeType === 'FunctionCall' && x.kind === 'typeConversion') x = (x.arguments as AnyNode[])[0];
  return x?.nodeType === 'Identifier' ? (x.referencedDeclaration as number) : undefined;
}

const TRANSFERS = new Set(['transfer', 'safeTransfer', 'send']);

function factsOf(
  view: ContractView,
  fn: FunctionDefinition,
  authority: Set<number>,
  own: (c: Callable) => boolean,
): FunctionFacts {
  const facts: FunctionFacts = {
    effects: [],
    writes: new Set(),
    unset: new Set(),
    paid: false,
    callerKeyedWrite: false,
    writeKeys: new Set(),
    proof: false,
    calledBack: new Set(),
  };
  const callables = reachable(view, [fn], (c) => c.id !== fn.id && initializingOnly(view, c));
  const outflows: Array<{ node: AnyNode; callable: Callable; to: string }> = [];
  for (const c of callables) {
    addAll(facts.unset, unsetChecks(view, codeOf(c)));
    const entryEnv = new Map<number, number>();
    for (const p of c.parameters.parameters) entryEnv.set(p.id, INPUT);
    const env: Env = c.body ? localFlags(view, c, entryEnv, c.body) : entryEnv;
    const flags = (e: AnyNode | undefined) => (e ? flagsOf(view, c, env, e) : 0);
    const isOwn = own(c);
    walk(codeOf(c), (n) => {
      if (isMsg(n, 'value')) facts.paid = true;
      for (const target of writtenExpressions(view, n, c)) {
        if (!writesStorage(view, target)) continue;
        const { decl, keys } = rootOf(view, target);
        if (keys.some((k) => flags(k) & CALLER)) facts.callerKeyedWrite = true;
        for (const k of keys) {
          const id = rootDeclId(k);
          if (id !== undefined) facts.writeKeys.add(id);
        }
        if (!decl) continue;
        facts.writes.add(decl.id);
        if (!isOwn) continue;
        const p = privilegedWrite(n, decl, keys, authority, flags);
        if (p) facts.effects.push({ ...p, callable: c });
      }
      if (n.nodeType !== 'FunctionCall') return undefined;
      const name = calleeName(n);
      const target = callTarget(view, n, c);
      if (
        PROOF_CALLS.has(name) &&
        (target.kind !== 'internal' || name === 'ecrecover' || isDependency(view, target.callee))
      )
        facts.proof = true;
      if (name === 'ecrecover') facts.proof = true;
      if (PAYMENT_CALLS.has(name)) facts.paid = true;
      if (target.kind === 'selfdestruct')
        facts.effects.push({ node: n, text: 'selfdestructs the contract', critical: true, callable: c });
      if (!isOwn) return undefined;
      const args = (n.arguments as AnyNode[]) ?? [];
      if ((target.kind === 'internal' || target.kind === 'library') && CONTROL_CALLS[name]) {
        facts.effects.push({ node: n, text: CONTROL_CALLS[name] as string, critical: true, callable: c });
      }
      if ((name === '_mint' || name === '_safeMint') && target.kind === 'internal') {
        if ((flags(args[0]) | flags(args[1])) & INPUT) outflows.push({ node: n, callable: c, to: 'mint' });
      }
      const member =
        (n.expression as AnyNode).nodeType === 'MemberAccess' ? (n.expression as AnyNode) : undefined;
      if (
        target.kind === 'address' &&
        (target.member === 'transfer' || target.member === 'send' || target.member === 'call')
      ) {
        const valued =
          target.member !== 'call' ||
          ((n.expression as AnyNode).nodeType === 'FunctionCallOptions' &&
            ((n.expression as { names?: string[] }).names ?? []).includes('value'));
        const recipient = callBase(n);
        if (valued && recipient && flags(recipient) & (INPUT | CALLER))
          outflows.push({ node: n, callable: c, to: 'value' });
      } else if (member && TRANSFERS.has(name) && target.kind !== 'none' && target.kind !== 'address') {
        const recipient = args[0];
        if (recipient && flags(recipient) & (INPUT | CALLER))
          outflows.push({ node: n, callable: c, to: 'tokens' });
      } else if (member && target.kind === 'external' && !TRANSFERS.has(name)) {
        const id = rootDeclId(member.expression as AnyNode);
        if (id !== undefined) facts.calledBack.add(id);
      }
      return undefined;
    });
  }
  for (const o of outflows) {
    if (facts.paid || facts.callerKeyedWrite) continue;
    if (o.to === 'mint') {
      facts.effects.push({
        node: o.node,
        text: 'mints tokens for an amount or account the caller chooses',
        critical: true,
        callable: o.callable,
      });
      continue;
    }
    const recipient = o.to === 'value' ? callBase(o.node) : ((o.node.arguments as AnyNode[]) ?? [])[0];
    const id = rootDeclId(recipient);
    if (id !== undefined && facts.calledBack.has(id)) continue; // a flash loan: the receiver is called back
    if (id !== undefined && facts.writeKeys.has(id)) continue; // the recipient's own entry is debited
    facts.effects.push({
      node: o.node,
      text:
        o.to === 'value'
          ? "sends the contract's ether to an address the caller chooses"
          : "sends the contract's tokens to an address the caller chooses",
      critical: true,
      callable: o.callable,
    });
  }
  return facts;
}

function isDependency(view: ContractView, fn: Callable): boolean {
  const f = view.fileOfNode(fn);
  return f.startsWith('@') || f.includes('node_modules/') || f.startsWith('lib/');
}

/** `to.transfer(x)` / `to.call{value: v}("")` → `to`. */
function callBase(call: AnyNode): AnyNode | undefined {
  let e = call.expression as AnyNode;
  while (e.nodeType === 'FunctionCallOptions') e = e.expression as AnyNode;
  return e.nodeType === 'MemberAccess' ? (e.expression as AnyNode) : undefined;
}

function privilegedWrite(
  n: AnyNode,
  decl: VariableDeclaration,
  keys: AnyNode[],
  authority: Set<number>,
  flags: (e: AnyNode | undefined) => number,
): Privileged | undefined {
  const name = decl.name;
  const named = words(name).some((w) => PRIVILEGED_WORDS.has(w));
  const isAuthority = authority.has(decl.id);
  if (
    /^_?total_?supply$/i.test(name) &&
    n.nodeType === 'Assignment' &&
    n.operator === '+=' &&
    flags(n.rightHandSide as AnyNode) & INPUT
  ) {
    return { node: n, text: `raises ${name} by an amount the caller chooses (mints)`, critical: true };
  }
  if (!named && !isAuthority) return undefined;
  if (keys.some((k) => flags(k) & CALLER)) return undefined; // the caller's own entry
  const t = decl.typeName?.typeDescriptions?.typeString ?? '';
  if (t.startsWith('mapping(')) {
    // Membership by account or role (`isMinter[a] = true`, `roles[r][a]`), not ownership of a token id.
    if (!/^mapping\((address|bytes32)\b/.test(t)) return undefined;
  }
  const set =
    (n.nodeType === 'Assignment' &&
      n.operator === '=' &&
      flags(n.rightHandSide as AnyNode) & (INPUT | CALLER)) ||
    (n.nodeType === 'FunctionCall' && flags(((n.arguments as AnyNode[]) ?? [])[0]) & (INPUT | CALLER)) ||
    (isAuthority && (n.nodeType === 'Assignment' ? n.operator === '=' : n.operator === 'delete'));
  if (!set) return undefined;
  return {
    node: n,
    text: `sets ${name}${isAuthority ? ' (read by an access check)' : ''} to a value the caller chooses`,
    critical:
      isAuthority ||
      words(name).some((w) =>
        [
          'owner',
          'owners',
          'admin',
          'implementation',
          'governance',
          'governor',
          'signer',
          'signers',
        ].includes(w),
      ),
  };
}

const isInit = (fn: FunctionDefinition) => /^_?init/i.test(fn.name);

export const unprotectedFunction: ScanDetector = {
  id: 'scan-unprotected-function',
  confidence: 'medium',
  run({ view, isOwn }) {
    const hits: ScanHit[] = [];
    let authority: Set<number> | undefined;
    for (const fn of entryPoints(view).values()) {
      if (!fn.body || !isOwn(fn) || fn.stateMutability === 'view' || fn.stateMutability === 'pure') continue;
      if (callerGuard(view, fn).guarded) continue;
      authority ??= authorityVariables(view);
      const facts = factsOf(view, fn, authority, (c) => isOwn(c));
      if (facts.proof) continue;
      const once = [...facts.unset].some((id) => facts.writes.has(id));
      if (once) continue;
      const effects = [...facts.effects];
      if (effects.length === 0 && isInit(fn) && facts.writes.size > 0) {
        effects.push({
          node: fn as unknown as AnyNode,
          text: 're-initializes the contract',
          critical: true,
          callable: fn,
        });
      }
      const first = effects[0];
      if (!first) continue;
      const label = functionLabel(fn);
      const node = first.callable.id === fn.id ? first.node : (entryCallTo(view, fn, first.callable) ?? fn);
      const texts = [...new Set(effects.map((e) => e.text))].slice(0, 3);
      const init = isInit(fn)
        ? ` It is an initializer without \`initializer\`: anyone can call it again.`
        : '';
      hits.push({
        node,
        within: fn,
        message: `${label} has no access guard and ${texts.join(', ')}: anyone can call it and take that power.${init}`,
        severity: effects.some((e) => e.critical) ? 'critical' : 'high',
      });
    }
    return hits;
  },
};

/** The call in `fn`'s own code through which `callee` is reached. */
function entryCallTo(view: ContractView, fn: FunctionDefinition, callee: Callable): AnyNode | undefined {
  let found: AnyNode | undefined;
  walk(codeOf(fn), (n) => {
    if (found) return 'skip';
    if (n.nodeType !== 'FunctionCall') return undefined;
    const t = callTarget(view, n, fn);
    if (
      (t.kind === 'internal' || t.kind === 'library') &&
      reachable(view, [t.callee]).some((c) => c.id === callee.id)
    )
      found = n;
    return undefined;
  });
  return found;
}
