/**
 * Where the team's code checks a signature, and what the signed digest is made of — shared by the four
 * signature detectors (signature-*.ts, ecrecover-zero.ts). A site is a raw `ecrecover(digest, v, r, s)`, an
 * OpenZeppelin `ECDSA.recover`/`tryRecover(digest, …)` or `SignatureChecker.isValidSignatureNow(signer, digest,
 * sig)` in a function or modifier of the project's own sources.
 *
 * The digest is followed to what it is computed from: locals (their initial values and assignments), internal
 * helpers (their arguments and what they return, overrides resolved), a helper's parameters back to its call
 * sites, and state variables to what the constructor or an initializer stores in them (`DOMAIN_SEPARATOR =
 * keccak256(abi.encode(…, block.chainid, address(this)))`). The result is the set of AST nodes the digest
 * depends on, read from the typed AST only.
 */
import type { FunctionDefinition, VariableDeclaration } from 'solidity-ast';
import { type AnyNode, type ContractView, entryPoints, walk } from '../../ast.js';
import { type Callable, codeOf, reachable } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import { writesStorage, writtenExpressions } from '../../state-access.js';
import type { ScanContext } from '../detector.js';
import { rootOf } from './privileged-state.js';

export interface SignatureSite {
  /** The recover or verify call. */
  call: AnyNode;
  /** The function or modifier holding it. */
  within: Callable;
  /** Raw `ecrecover` (no zero check, no `s` check) rather than OpenZeppelin's ECDSA / SignatureChecker. */
  raw: boolean;
  /** The digest argument. */
  digest: AnyNode;
  /** The signature arguments (`sig`, or `v, r, s`). */
  signature: AnyNode[];
  /** The digest is built here (it depends on a `keccak256`), not handed in by the caller as a hash. */
  built: boolean;
  /** The state-changing public functions that reach the site, with everything they execute. */
  entries: Entry[];
}

export interface Entry {
  fn: FunctionDefinition;
  code: Callable[];
}

const MAX_DEPTH = 8;

function calleeName(call: AnyNode): string {
  let e = call.expression as AnyNode;
  while (e.nodeType === 'FunctionCallOptions') e = e.expression as AnyNode;
  return ((e as { memberName?: string; name?: string }).memberName ?? (e as { name?: string }).name) || '';
}

function declOf(view: ContractView, n: AnyNode): AnyNode | undefined {
  const ref = n.referencedDeclaration as number | undefined;
  return ref !== undefined && ref !== null ? view.byId.get(ref) : undefined;
}

const isOz = (view: ContractView, c: Callable) => view.fileOfNode(c).startsWith('@openzeppelin/');

/** The digest argument of a signature check, or undefined when the call is not one. */
function digestArgument(
  view: ContractView,
  call: AnyNode,
  from: Callable,
): { digest: AnyNode; raw: boolean; signature: AnyNode[] } | undefined {
  const args = (call.arguments as AnyNode[]) ?? [];
  const name = calleeName(call);
  const callee = call.expression as AnyNode;
  if (
    name === 'ecrecover' &&
    callee.nodeType === 'Identifier' &&
    !view.byId.has(callee.referencedDeclaration as number)
  ) {
    return args[0] ? { digest: args[0], raw: true, signature: args.slice(1) } : undefined;
  }
  const target = callTarget(view, call, from);
  if (target.kind !== 'internal' && target.kind !== 'library') return undefined;
  if (!isOz(view, target.callee)) return undefined;
  const lib = view.ownerOf.get(target.callee.id)?.name;
  if (lib === 'ECDSA' && (name === 'recover' || name === 'tryRecover') && args[0])
    return { digest: args[0], raw: false, signature: args.slice(1) };
  if (lib === 'SignatureChecker' && name.startsWith('isValid') && args[1])
    return { digest: args[1], raw: false, signature: args.slice(2) };
  return undefined;
}

/** Every signature check in the contract's own code, with the public functions that reach it. */
export function signatureSites(ctx: ScanContext): SignatureSite[] {
  const { view, own } = ctx;
  const sites: SignatureSite[] = [];
  for (const c of own) {
    walk(codeOf(c), (n) => {
      if (n.nodeType !== 'FunctionCall') return undefined;
      const d = digestArgument(view, n, c);
      if (d) sites.push({ call: n, within: c, ...d, built: false, entries: [] });
      return undefined;
    });
  }
  if (sites.length === 0) return sites;
  for (const fn of entryPoints(view).values()) {
    if (!fn.body || fn.stateMutability === 'view' || fn.stateMutability === 'pure') continue;
    const code = reachable(view, [fn]);
    const ids = new Set(code.map((c) => c.id));
    for (const s of sites) if (ids.has(s.within.id)) s.entries.push({ fn, code });
  }
  for (const s of sites) {
    const code = s.entries.flatMap((e) => e.code);
    s.built = dependencies(view, s.digest, s.within, code).some(
      (n) => n.nodeType === 'FunctionCall' && calleeName(n) === 'keccak256',
    );
  }
  return sites;
}

/**
 * The nodes a value depends on: the expression itself and, followed, what its locals, helper calls, helper
 * parameters and state variables are computed from (see the header). `code` is what may run (for call sites
 * of a helper and writes of a state variable).
 */
export function dependencies(
  view: ContractView,
  expr: AnyNode,
  from: Callable,
  code: readonly Callable[],
): AnyNode[] {
  const out: AnyNode[] = [];
  const seen = new Set<number>();
  const visitExpr = (e: unknown, c: Callable, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    walk(e, (n) => {
      if (seen.has(n.id)) return 'skip';
      seen.add(n.id);
      out.push(n);
      if (n.nodeType === 'Identifier') followDeclaration(n, c, depth);
      if (n.nodeType === 'FunctionCall') {
        const t = callTarget(view, n, c);
        if ((t.kind === 'internal' || t.kind === 'library') && t.callee.body) {
          walk(t.callee.body, (r) => {
            if (r.nodeType === 'Return' && r.expression) visitExpr(r.expression, t.callee, depth + 1);
            return undefined;
          });
        }
      }
      return undefined;
    });
  };
  const followDeclaration = (id: AnyNode, c: Callable, depth: number): void => {
    const decl = declOf(view, id) as (AnyNode & Partial<VariableDeclaration>) | undefined;
    if (decl?.nodeType !== 'VariableDeclaration' || seen.has(decl.id)) return;
    seen.add(decl.id);
    if (decl.stateVariable) {
      if (decl.value) visitExpr(decl.value, c, depth + 1);
      // What any function of the contract (constructor, initializer) stores in it.
      for (const base of view.linearized) {
        for (const f of base.nodes) {
          if (f.nodeType !== 'FunctionDefinition' || !f.body) continue;
          assignmentsTo(f.body, decl.id, (rhs) => visitExpr(rhs, f, depth + 1));
        }
      }
      return;
    }
    const owner = code.find((k) => containsDecl(k, decl.id));
    if (!owner?.body) return;
    const params = owner.parameters.parameters;
    const at = params.findIndex((p) => p.id === decl.id);
    if (at >= 0) {
      // A helper's parameter: what its callers pass.
      for (const k of code) {
        walk(codeOf(k), (n) => {
          if (n.nodeType !== 'FunctionCall') return undefined;
          const t = callTarget(view, n, k);
          if ((t.kind === 'internal' || t.kind === 'library') && t.callee.id === owner.id) {
            const arg = ((n.arguments as AnyNode[]) ?? [])[at];
            if (arg) visitExpr(arg, k, depth + 1);
          }
          return undefined;
        });
      }
      return;
    }
    walk(owner.body, (n) => {
      if (n.nodeType === 'VariableDeclarationStatement' && n.initialValue) {
        const decls = (n.declarations as ({ id: number } | null)[]) ?? [];
        if (decls.some((d) => d?.id === decl.id)) visitExpr(n.initialValue, owner, depth + 1);
      }
      return undefined;
    });
    assignmentsTo(owner.body, decl.id, (rhs) => visitExpr(rhs, owner, depth + 1));
  };
  visitExpr(expr, from, 0);
  return out;
}

function containsDecl(c: Callable, id: number): boolean {
  let found = false;
  walk([c.parameters, c.nodeType === 'FunctionDefinition' ? c.returnParameters : null, c.body], (n) => {
    if (n.id === id) found = true;
    return found ? 'skip' : undefined;
  });
  return found;
}

function assignmentsTo(body: unknown, declId: number, onValue: (rhs: AnyNode) => void): void {
  walk(body, (n) => {
    if (n.nodeType === 'Assignment') {
      const l = n.leftHandSide as AnyNode;
      if (l.nodeType === 'Identifier' && l.referencedDeclaration === declId)
        onValue(n.rightHandSide as AnyNode);
    }
    return undefined;
  });
}

export function isMember(n: AnyNode | undefined, base: string, member: string): boolean {
  return (
    n?.nodeType === 'MemberAccess' &&
    n.memberName === member &&
    (n.expression as AnyNode | undefined)?.nodeType === 'Identifier' &&
    (n.expression as { name?: string }).name === base
  );
}

/** A stable identity for what a node names: a declaration, or `msg.sender`. */
export function identity(view: ContractView, n: AnyNode): string | undefined {
  if (n.nodeType === 'Identifier') {
    const ref = n.referencedDeclaration as number | undefined;
    return ref !== undefined && ref !== null && ref >= 0 && view.byId.has(ref) ? `d${ref}` : undefined;
  }
  if (isMember(n, 'msg', 'sender')) return 'msg.sender';
  return undefined;
}

/** Revert conditions in code: `require(c)`, `assert(c)`, and the condition of an `if` that reverts. */
export function conditionsIn(code: unknown): AnyNode[] {
  const out: AnyNode[] = [];
  walk(code, (n) => {
    if (n.nodeType === 'FunctionCall' && ['require', 'assert'].includes(calleeName(n))) {
      const c = (n.arguments as AnyNode[])[0];
      if (c) out.push(c);
    }
    if (n.nodeType === 'IfStatement') {
      let reverts = false;
      walk(n.trueBody, (x) => {
        if (x.nodeType === 'RevertStatement' || (x.nodeType === 'FunctionCall' && calleeName(x) === 'revert'))
          reverts = true;
        return undefined;
      });
      if (reverts) out.push(n.condition as AnyNode);
    }
    return undefined;
  });
  return out;
}

/** The state variable at the root of `a.b[c]` (its id) and the index expressions on the way. */
function storageRoot(view: ContractView, expr: AnyNode): { decl?: number; keys: AnyNode[] } {
  const { decl, keys } = rootOf(view, expr);
  return { decl: decl?.id, keys };
}

/** The storage writes of some code: each target's state variable and keys, in the callable that writes it. */
export function storageWrites(
  view: ContractView,
  code: readonly Callable[],
): Array<{ decl: number; keys: AnyNode[]; within: Callable }> {
  const out: Array<{ decl: number; keys: AnyNode[]; within: Callable }> = [];
  for (const c of code) {
    walk(codeOf(c), (n) => {
      for (const t of writtenExpressions(view, n, c)) {
        if (!writesStorage(view, t)) continue;
        const { decl, keys } = storageRoot(view, t);
        if (decl !== undefined) out.push({ decl, keys, within: c });
      }
      return undefined;
    });
  }
  return out;
}

const NONCE_CALLS = new Set(['_useNonce', '_useCheckedNonce', 'useNonce']);

/**
 * Is the signature single-use when `entry` runs? A nonce in the digest that the call consumes (a `++`, a call
 * that writes storage such as OpenZeppelin's `_useNonce`, or a storage value the function writes), or a record
 * the function both checks and writes, keyed by something the digest or the signature is made of.
 */
export function replayProtected(view: ContractView, site: SignatureSite, entry: Entry): boolean {
  const deps = dependencies(view, site.digest, site.within, entry.code);
  const writes = storageWrites(view, entry.code);
  const written = new Set(writes.map((w) => w.decl));
  for (const n of deps) {
    if (n.nodeType === 'UnaryOperation' && (n.operator === '++' || n.operator === '--')) return true;
    if (n.nodeType === 'FunctionCall' && NONCE_CALLS.has(calleeName(n))) return true;
    const root =
      n.nodeType === 'Identifier' || n.nodeType === 'IndexAccess' ? storageRoot(view, n).decl : undefined;
    if (root !== undefined && written.has(root)) return true;
  }
  const signed = signatureIdentities(view, site, entry);
  for (const n of dependencies(view, site.digest, site.within, entry.code)) {
    const id = identity(view, n);
    if (id) signed.add(id);
  }
  const checked = new Set<number>();
  for (const c of entry.code)
    for (const cond of conditionsIn(codeOf(c)))
      walk(cond, (n) => {
        const root =
          n.nodeType === 'Identifier' || n.nodeType === 'IndexAccess' ? storageRoot(view, n).decl : undefined;
        if (root !== undefined) checked.add(root);
        return undefined;
      });
  return writes.some(
    (w) =>
      checked.has(w.decl) &&
      w.keys.some((k) =>
        dependencies(view, k, w.within, entry.code).some((n) => signed.has(identity(view, n) ?? '')),
      ),
  );
}

/**
 * What the signature is made of: its arguments (`v`, `r`, `s`, `sig`) and what they come from, and the `bytes`
 * parameters named like a signature (split into v, r, s in assembly: a link the AST does not show).
 */
export function signatureIdentities(view: ContractView, site: SignatureSite, entry: Entry): Set<string> {
  const out = new Set<string>();
  for (const p of [...entry.fn.parameters.parameters, ...site.within.parameters.parameters])
    if (/^bytes( |$)/.test(p.typeDescriptions.typeString ?? '') && /sig/i.test(p.name)) out.add(`d${p.id}`);
  for (const a of site.signature)
    for (const n of dependencies(view, a, site.within, entry.code)) {
      const id = identity(view, n);
      if (id) out.add(id);
    }
  return out;
}
