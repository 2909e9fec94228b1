/**
 * What an entry point does, in the order it does it: the external calls that can hand control to another
 * contract, the state it reads (and for what: a check, a payout, a plain value) and the state it writes, with
 * modifiers run around the body and internal, `super` and library calls followed in place (callgraph.ts's
 * resolution, through calls.ts). The reentrancy detectors compare positions in this sequence: a write after a
 * call, a check after a call, a view reading what a pending write will change.
 *
 * What counts as a call that can re-enter: a message call to a non-view function of another contract (not
 * `this`, not an ERC-20 transfer/approve: a standard token does not call anyone back — hook tokens are a known
 * miss), a low-level `call` (OpenZeppelin's `Address.sendValue`/`functionCall*` and `LowLevelCall.call*`
 * included), and `call` in the project's own inline assembly. `transfer`/`send` (2300 gas), `staticcall`,
 * `delegatecall` and calls through function pointers do not count.
 *
 * State is a state variable (`v:<declaration id>`), a member of a struct reached through a storage pointer
 * (`s:<Struct>.<member>`: ERC-7201 namespaced storage), or a balance the contract holds: its tokens (read by
 * `token.balanceOf(address(this))`, moved by `transfer`/`transferFrom`/SafeERC20) and its ether
 * (`address(this).balance`). Values flow through locals, parameters and return values, so a check on a local
 * computed from a balance is a check on the balance. Loop bodies are run twice (what a later iteration does
 * comes after the calls of an earlier one).
 */
import type { FunctionDefinition, ModifierDefinition, VariableDeclaration } from 'solidity-ast';
import { type AnyNode, type Callable, type ContractView, entryPoints, resolveVirtual } from '../ast.js';
import { callerGuard, codeOf, reachable } from '../callgraph.js';
import { callTarget } from '../calls.js';
import {
  assemblyCalls,
  nodeWrites,
  stateAccess,
  writesStorage,
  writtenExpressions,
} from '../state-access.js';

export type Key = string;
/** The contract's balance of tokens (any token: the AST does not say which one a variable holds). */
export const TOKENS: Key = '@tokens';
/** The contract's ether balance. */
export const ETHER: Key = '@ether';

/** Where an event shows in the project's own code: the event itself, or the own call site that led to it. */
export interface Site {
  node: AnyNode;
  within: Callable;
}

export type Use = 'check' | 'payout' | 'value';

export type TraceEvent =
  | { kind: 'call'; node: AnyNode; at?: Site; label: string }
  | { kind: 'write'; key: Key; node: AnyNode; at?: Site }
  | { kind: 'read'; keys: ReadonlySet<Key>; use: Use; node: AnyNode; at?: Site };

export interface Trace {
  fn: FunctionDefinition;
  events: TraceEvent[];
  /** Runs under a reentrancy lock (OpenZeppelin's nonReentrant, or a lock modifier recognised by shape). */
  locked: boolean;
  /** Checks a reentrancy lock without taking it (`_reentrancyGuardEntered()`, `nonReentrantView`). */
  checksLock: boolean;
  /** Divides somewhere (`/`, `mulDiv`): a ratio, a price, a share value. */
  divides: boolean;
  /** What the function returns depends on. */
  returns: Set<Key>;
}

const MAX_DEPTH = 12;
const OZ_LOCKS = /^ReentrancyGuard(Transient)?(Upgradeable)?$/;
/** ERC-20 functions a standard token runs without calling anyone. */
const TOKEN_OPS = new Set(['transfer', 'transferFrom', 'approve', 'increaseAllowance', 'decreaseAllowance']);
/** SafeERC20 wrappers of those (the `…AndCall` ones call the receiver and are followed). */
const SAFE_TOKEN_OPS = new Set([
  'safeTransfer',
  'safeTransferFrom',
  'trySafeTransfer',
  'trySafeTransferFrom',
  'safeIncreaseAllowance',
  'safeDecreaseAllowance',
  'forceApprove',
]);
/** OpenZeppelin's low-level call helpers (their `call` is in assembly): a call that can re-enter. */
const OZ_CALLS: Record<string, RegExp> = {
  Address: /^(sendValue|functionCall|functionCallWithValue)$/,
  LowLevelCall: /^call(NoReturn|Return64Bytes)?$/,
};

const typeString = (n: AnyNode | undefined) =>
  (n?.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? '';

const isOz = (view: ContractView, node: { src: string }) =>
  view.fileOfNode(node).startsWith('@openzeppelin/');

function isThis(n: AnyNode | undefined): boolean {
  if (!n) return false;
  if (n.nodeType === 'Identifier') return (n as { name?: string }).name === 'this';
  if (n.nodeType === 'FunctionCall' && n.kind === 'typeConversion') {
    const args = n.arguments as AnyNode[];
    return args.length === 1 && isThis(args[0]);
  }
  return false;
}

type ModifierInvocation = NonNullable<FunctionDefinition['modifiers']>[number];

function modifiersOf(view: ContractView, fn: FunctionDefinition) {
  const out: Array<{ inv: ModifierInvocation; mod: ModifierDefinition }> = [];
  for (const inv of fn.modifiers ?? []) {
    const ref = inv.modifierName.referencedDeclaration;
    const decl = ref !== undefined && ref !== null ? view.byId.get(ref) : undefined;
    if (decl?.nodeType !== 'ModifierDefinition') continue;
    out.push({ inv, mod: resolveVirtual(view, decl as unknown as ModifierDefinition) });
  }
  return out;
}

/**
 * A lock modifier by its shape: before `_` it checks a state variable and writes it, after `_` it writes it
 * again (`require(!locked); locked = true; _; locked = false;`). Returns the lock's state keys.
 */
function lockShape(view: ContractView, mod: ModifierDefinition): Set<Key> | undefined {
  const statements = (mod.body?.statements ?? []) as unknown as AnyNode[];
  const at = statements.findIndex((s) => s.nodeType === 'PlaceholderStatement');
  if (at < 0) return undefined;
  const writes = (list: AnyNode[]) => {
    const keys = new Set<Key>();
    for (const s of list) {
      walkNodes(s, (n) => {
        for (const id of nodeWrites(view, n, mod)) keys.add(`v:${id}`);
      });
    }
    return keys;
  };
  const before = writes(statements.slice(0, at));
  const after = writes(statements.slice(at + 1));
  const checked = new Set<Key>();
  for (const s of statements.slice(0, at)) {
    const cond =
      s.nodeType === 'IfStatement'
        ? s.condition
        : s.nodeType === 'ExpressionStatement' &&
            (s.expression as AnyNode).nodeType === 'FunctionCall' &&
            ['require', 'assert'].includes(
              ((s.expression as AnyNode).expression as AnyNode as { name?: string }).name ?? '',
            )
          ? ((s.expression as AnyNode).arguments as AnyNode[])[0]
          : undefined;
    walkNodes(cond, (n) => {
      const decl = n.nodeType === 'Identifier' ? view.byId.get(n.referencedDeclaration as number) : undefined;
      if ((decl as VariableDeclaration | undefined)?.stateVariable) checked.add(`v:${decl?.id}`);
    });
  }
  const lock = new Set([...before].filter((k) => after.has(k) && checked.has(k)));
  return lock.size > 0 ? lock : undefined;
}

function walkNodes(node: unknown, visit: (n: AnyNode) => void): void {
  if (Array.isArray(node)) {
    for (const c of node) walkNodes(c, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as AnyNode;
  if (typeof n.nodeType === 'string') visit(n);
  for (const [k, v] of Object.entries(n)) {
    if (k === 'typeDescriptions' || k === 'documentation') continue;
    if (v !== null && typeof v === 'object') walkNodes(v, visit);
  }
}

/** Is this modifier a reentrancy lock (OpenZeppelin's, or one of the shape above)? */
function isLockModifier(view: ContractView, mod: ModifierDefinition): boolean {
  const owner = view.ownerOf.get(mod.id);
  if (owner && OZ_LOCKS.test(owner.name) && isOz(view, owner)) return mod.name === 'nonReentrant';
  return lockShape(view, mod) !== undefined;
}

/** Does the function run under a reentrancy lock? */
function isLocked(view: ContractView, fn: FunctionDefinition): boolean {
  return modifiersOf(view, fn).some(({ mod }) => isLockModifier(view, mod));
}

interface Frame {
  callable: Callable;
  env: Map<number, Set<Key>>;
  /** The own call site that led into dependency code (undefined while in own code, or no own code yet). */
  at?: Site;
  own: boolean;
  depth: number;
  stack: number[];
  returns: Set<Key>;
  placeholder?: () => void;
}

interface Run {
  view: ContractView;
  isOwn: (n: { src: string }) => boolean;
  trace: Trace;
}

const union = (...sets: Iterable<Key>[]) => {
  const out = new Set<Key>();
  for (const s of sets) for (const k of s) out.add(k);
  return out;
};

function siteOf(frame: Frame, node: AnyNode): Site | undefined {
  return frame.own ? { node, within: frame.callable } : frame.at;
}

type Bare<E> = E extends unknown ? Omit<E, 'at'> : never;

function emit(run: Run, frame: Frame, event: Bare<TraceEvent>): void {
  run.trace.events.push({ ...event, at: siteOf(frame, event.node) } as TraceEvent);
}

function storageVar(view: ContractView, n: AnyNode): VariableDeclaration | undefined {
  const ref = n.referencedDeclaration as number | undefined | null;
  const decl = ref !== undefined && ref !== null ? view.byId.get(ref) : undefined;
  const v = decl as unknown as VariableDeclaration | undefined;
  return decl?.nodeType === 'VariableDeclaration' &&
    v?.stateVariable &&
    !v.constant &&
    v.mutability !== 'immutable'
    ? v
    : undefined;
}

/** `$.member` through a storage pointer to a struct (namespaced storage): `s:Struct.member`. */
function structMemberKey(n: AnyNode): Key | undefined {
  if (n.nodeType !== 'MemberAccess') return undefined;
  const struct = /^struct (?:[\w$]+\.)*([\w$]+) storage (?:pointer|ref)$/.exec(
    typeString(n.expression as AnyNode),
  )?.[1];
  return struct ? `s:${struct}.${n.memberName}` : undefined;
}

/** The state keys an assignment-like node writes. */
function writeKeys(run: Run, frame: Frame, n: AnyNode): Key[] {
  const keys = new Set<Key>(nodeWrites(run.view, n, frame.callable).map((id) => `v:${id}`));
  for (let target of writtenExpressions(run.view, n, frame.callable)) {
    if (!writesStorage(run.view, target)) continue;
    while (target.nodeType === 'MemberAccess' || target.nodeType === 'IndexAccess') {
      const k = structMemberKey(target);
      if (k) keys.add(k);
      target = (target.nodeType === 'MemberAccess' ? target.expression : target.baseExpression) as AnyNode;
    }
  }
  return [...keys];
}

function writes(run: Run, frame: Frame, n: AnyNode): void {
  for (const key of writeKeys(run, frame, n)) emit(run, frame, { kind: 'write', key, node: n });
}

function expr(run: Run, frame: Frame, n: AnyNode | null | undefined): Set<Key> {
  if (!n) return new Set();
  const sub = (e: unknown) => expr(run, frame, e as AnyNode);
  switch (n.nodeType) {
    case 'Literal':
    case 'ElementaryTypeNameExpression':
      return new Set();
    case 'Identifier': {
      const v = storageVar(run.view, n);
      if (v) {
        const keys = new Set([`v:${v.id}`]);
        emit(run, frame, { kind: 'read', keys, use: 'value', node: n });
        return keys;
      }
      return new Set(frame.env.get(n.referencedDeclaration as number) ?? []);
    }
    case 'MemberAccess': {
      if (n.memberName === 'balance' && isThis(n.expression as AnyNode)) {
        const keys = new Set([ETHER]);
        emit(run, frame, { kind: 'read', keys, use: 'value', node: n });
        return keys;
      }
      const base = sub(n.expression);
      const k = structMemberKey(n);
      if (k) {
        emit(run, frame, { kind: 'read', keys: new Set([k]), use: 'value', node: n });
        base.add(k);
      }
      return base;
    }
    case 'IndexAccess':
      return union(sub(n.baseExpression), sub(n.indexExpression));
    case 'IndexRangeAccess':
      return union(sub(n.baseExpression), sub(n.startExpression), sub(n.endExpression));
    case 'BinaryOperation':
      if (n.operator === '/') run.trace.divides = true;
      return union(sub(n.leftExpression), sub(n.rightExpression));
    case 'UnaryOperation': {
      const keys = sub(n.subExpression);
      if (['++', '--', 'delete'].includes(n.operator as string)) writes(run, frame, n);
      return keys;
    }
    case 'Conditional': {
      const cond = sub(n.condition);
      emit(run, frame, { kind: 'read', keys: cond, use: 'check', node: n.condition as AnyNode });
      return union(cond, sub(n.trueExpression), sub(n.falseExpression));
    }
    case 'TupleExpression':
      return union(...((n.components as (AnyNode | null)[]) ?? []).map((c) => sub(c)));
    case 'Assignment': {
      const value = sub(n.rightHandSide);
      const lhs = n.leftHandSide as AnyNode;
      const old = n.operator === '=' ? new Set<Key>() : sub(lhs);
      if (n.operator === '=') indexesOf(run, frame, lhs);
      writes(run, frame, n);
      const all = union(value, old);
      walkNodes(lhs, (l) => {
        const ref = l.referencedDeclaration as number | undefined;
        if (l.nodeType === 'Identifier' && ref !== undefined && !storageVar(run.view, l))
          frame.env.set(ref, all);
      });
      return all;
    }
    case 'FunctionCall':
      return call(run, frame, n);
    case 'FunctionCallOptions':
      return union(sub(n.expression), ...((n.options as AnyNode[]) ?? []).map(sub));
    default: {
      const out = new Set<Key>();
      for (const [k, v] of Object.entries(n)) {
        if (k === 'typeDescriptions' || k === 'documentation') continue;
        if (Array.isArray(v)) for (const c of v) for (const x of sub(c)) out.add(x);
        else if (v && typeof v === 'object' && typeof (v as AnyNode).nodeType === 'string')
          for (const x of sub(v)) out.add(x);
      }
      return out;
    }
  }
}

/** The index expressions of an assignment's target (evaluated; the target itself is written, not read). */
function indexesOf(run: Run, frame: Frame, lhs: AnyNode): void {
  if (lhs.nodeType === 'IndexAccess') {
    expr(run, frame, lhs.indexExpression as AnyNode);
    indexesOf(run, frame, lhs.baseExpression as AnyNode);
  } else if (lhs.nodeType === 'MemberAccess') indexesOf(run, frame, lhs.expression as AnyNode);
  else if (lhs.nodeType === 'TupleExpression')
    for (const c of (lhs.components as (AnyNode | null)[]) ?? []) if (c) indexesOf(run, frame, c);
}

function calleeOf(n: AnyNode): { callee: AnyNode; options: AnyNode[] } {
  let callee = n.expression as AnyNode;
  const options: AnyNode[] = [];
  while (callee.nodeType === 'FunctionCallOptions') {
    options.push(...((callee.options as AnyNode[]) ?? []));
    callee = callee.expression as AnyNode;
  }
  return { callee, options };
}

function call(run: Run, frame: Frame, n: AnyNode): Set<Key> {
  const { view } = run;
  const args = (n.arguments as AnyNode[]) ?? [];
  const { callee, options } = calleeOf(n);
  const name = (callee as { name?: string; memberName?: string }).name ?? (callee.memberName as string);
  if (callee.nodeType === 'Identifier' && (name === 'require' || name === 'assert')) {
    const keys = expr(run, frame, args[0]);
    for (const a of args.slice(1)) expr(run, frame, a);
    emit(run, frame, { kind: 'read', keys, use: 'check', node: args[0] ?? n });
    return new Set();
  }
  if (n.kind === 'typeConversion' || n.kind === 'structConstructorCall')
    return union(...args.map((a) => expr(run, frame, a)));
  const target = callTarget(view, n, frame.callable);
  const base =
    callee.nodeType === 'MemberAccess' ? expr(run, frame, callee.expression as AnyNode) : new Set<Key>();
  const opt = union(...options.map((o) => expr(run, frame, o)));
  const argKeys = args.map((a) => expr(run, frame, a));
  const inputs = union(base, opt, ...argKeys);
  if (name && /div/i.test(name)) run.trace.divides = true;
  if (name === '_reentrancyGuardEntered') run.trace.checksLock = true;
  const reenters = (label: string) => {
    emit(run, frame, { kind: 'read', keys: inputs, use: 'payout', node: n });
    emit(run, frame, { kind: 'call', node: n, label });
  };
  switch (target.kind) {
    case 'internal':
    case 'library': {
      const fn = target.callee;
      const owner = view.ownerOf.get(fn.id);
      if (owner && isOz(view, owner)) {
        if (owner.name === 'SafeERC20' && SAFE_TOKEN_OPS.has(fn.name)) {
          emit(run, frame, { kind: 'write', key: TOKENS, node: n });
          return new Set();
        }
        if (OZ_CALLS[owner.name]?.test(fn.name)) {
          reenters(`${owner.name}.${fn.name}`);
          return new Set();
        }
      }
      // `x.f(a)` through `using … for`: x is the first argument.
      const bound =
        callee.nodeType === 'MemberAccess' && fn.parameters.parameters.length === args.length + 1
          ? [base, ...argKeys]
          : argKeys;
      if (frame.depth >= MAX_DEPTH || frame.stack.includes(fn.id)) return inputs;
      return runCallable(run, fn, bound, frame, n);
    }
    case 'external': {
      const member = callee.nodeType === 'MemberAccess' ? (callee.memberName as string) : '';
      if (member === 'balanceOf' && args.length === 1 && isThis(args[0])) {
        const keys = new Set([TOKENS]);
        emit(run, frame, { kind: 'read', keys, use: 'value', node: n });
        return keys;
      }
      if (target.readOnly) return inputs;
      if (TOKEN_OPS.has(member)) {
        emit(run, frame, { kind: 'write', key: TOKENS, node: n });
        return new Set();
      }
      if (callee.nodeType === 'MemberAccess' && isThis(callee.expression as AnyNode)) return new Set();
      reenters(target.label);
      return new Set();
    }
    case 'address':
      if (target.member === 'call' && !isThis((callee as AnyNode).expression as AnyNode)) {
        reenters('a low-level call');
        if (options.length > 0) emit(run, frame, { kind: 'write', key: ETHER, node: n });
      } else if (target.member === 'send' || target.member === 'transfer') {
        emit(run, frame, { kind: 'write', key: ETHER, node: n });
      }
      return new Set();
    case 'storage-array':
      writes(run, frame, n);
      return inputs;
    default:
      return inputs;
  }
}

/** Run a function or modifier (its modifiers around its body) with its parameters bound to `args`. */
function runCallable(
  run: Run,
  callable: Callable,
  args: Set<Key>[],
  from: Frame | undefined,
  site?: AnyNode,
) {
  const own = run.isOwn(callable);
  const at = from ? (from.own && site ? { node: site, within: from.callable } : from.at) : undefined;
  const env = new Map<number, Set<Key>>();
  callable.parameters.parameters.forEach((p, i) => {
    env.set(p.id, args[i] ?? new Set());
  });
  const frame: Frame = {
    callable,
    env,
    at,
    own,
    depth: (from?.depth ?? -1) + 1,
    stack: [...(from?.stack ?? []), callable.id],
    returns: new Set(),
  };
  const body = () => block(run, frame, callable.body as AnyNode | undefined);
  let next = body;
  if (callable.nodeType === 'FunctionDefinition') {
    for (const { inv, mod } of modifiersOf(run.view, callable).reverse()) {
      const inner = next;
      next = () => {
        const modArgs = ((inv.arguments ?? []) as unknown as AnyNode[]).map((a) => expr(run, frame, a));
        if (frame.stack.includes(mod.id)) return inner();
        const modFrame = runFrame(run, mod, modArgs, frame, inv as unknown as AnyNode, inner);
        block(run, modFrame, mod.body as unknown as AnyNode);
      };
    }
    for (const r of callable.returnParameters.parameters) env.set(r.id, new Set());
  }
  next();
  if (callable.nodeType === 'FunctionDefinition')
    for (const r of callable.returnParameters.parameters)
      for (const k of env.get(r.id) ?? []) frame.returns.add(k);
  return frame.returns;
}

function runFrame(
  run: Run,
  mod: ModifierDefinition,
  args: Set<Key>[],
  from: Frame,
  site: AnyNode,
  placeholder: () => void,
): Frame {
  const env = new Map<number, Set<Key>>();
  mod.parameters.parameters.forEach((p, i) => {
    env.set(p.id, args[i] ?? new Set());
  });
  return {
    callable: mod,
    env,
    at: from.own ? { node: site, within: from.callable } : from.at,
    own: run.isOwn(mod),
    depth: from.depth + 1,
    stack: [...from.stack, mod.id],
    returns: new Set(),
    placeholder,
  };
}

function block(run: Run, frame: Frame, n: AnyNode | null | undefined): void {
  if (!n) return;
  const sub = (s: unknown) => block(run, frame, s as AnyNode);
  const check = (c: unknown) => {
    if (!c) return;
    const keys = expr(run, frame, c as AnyNode);
    emit(run, frame, { kind: 'read', keys, use: 'check', node: c as AnyNode });
  };
  switch (n.nodeType) {
    case 'Block':
    case 'UncheckedBlock':
      for (const s of (n.statements as AnyNode[]) ?? []) sub(s);
      return;
    case 'ExpressionStatement':
      expr(run, frame, n.expression as AnyNode);
      return;
    case 'VariableDeclarationStatement': {
      const keys = expr(run, frame, n.initialValue as AnyNode | undefined);
      for (const d of (n.declarations as ({ id: number } | null)[]) ?? []) if (d) frame.env.set(d.id, keys);
      return;
    }
    case 'IfStatement':
      check(n.condition);
      sub(n.trueBody);
      sub(n.falseBody);
      return;
    case 'ForStatement':
      sub(n.initializationExpression);
      for (let i = 0; i < 2; i++) {
        check(n.condition);
        sub(n.body);
        sub(n.loopExpression);
      }
      return;
    case 'WhileStatement':
    case 'DoWhileStatement':
      for (let i = 0; i < 2; i++) {
        check(n.condition);
        sub(n.body);
      }
      return;
    case 'Return':
      for (const k of expr(run, frame, n.expression as AnyNode | undefined)) frame.returns.add(k);
      return;
    case 'EmitStatement':
      for (const a of ((n.eventCall as AnyNode).arguments as AnyNode[]) ?? []) expr(run, frame, a);
      return;
    case 'RevertStatement':
      for (const a of ((n.errorCall as AnyNode).arguments as AnyNode[]) ?? []) expr(run, frame, a);
      return;
    case 'TryStatement':
      expr(run, frame, n.externalCall as AnyNode);
      for (const c of (n.clauses as AnyNode[]) ?? []) sub(c.block);
      return;
    case 'PlaceholderStatement':
      frame.placeholder?.();
      return;
    case 'InlineAssembly': {
      const calls = assemblyCalls(n);
      if (frame.own && calls?.has('call')) {
        emit(run, frame, { kind: 'read', keys: new Set(), use: 'payout', node: n });
        emit(run, frame, { kind: 'call', node: n, label: 'a call in assembly' });
      }
      if (calls?.has('sstore') || calls?.has('tstore')) writes(run, frame, n);
      return;
    }
    default:
      expr(run, frame, n);
  }
}

const traceCache = new WeakMap<ContractView, Map<number, Trace>>();

/** The trace of a function as an entry point (its parameters are the caller's: no state). */
export function traceOf(
  view: ContractView,
  fn: FunctionDefinition,
  isOwn: (n: { src: string }) => boolean,
): Trace {
  let perView = traceCache.get(view);
  if (!perView) {
    perView = new Map();
    traceCache.set(view, perView);
  }
  const cached = perView.get(fn.id);
  if (cached) return cached;
  const trace: Trace = {
    fn,
    events: [],
    locked: isLocked(view, fn),
    checksLock: false,
    divides: false,
    returns: new Set(),
  };
  for (const { mod } of modifiersOf(view, fn)) {
    const owner = view.ownerOf.get(mod.id);
    if (owner && OZ_LOCKS.test(owner.name) && isOz(view, owner) && mod.name === 'nonReentrantView')
      trace.checksLock = true;
  }
  const run: Run = { view, isOwn, trace };
  trace.returns = runCallable(run, fn, [], undefined);
  perView.set(fn.id, trace);
  return trace;
}

/** A function an attacker can start: an entry point (public, external, fallback, receive), not access-guarded. */
export interface Entry {
  fn: FunctionDefinition;
  readOnly: boolean;
}

export function openEntries(view: ContractView): Entry[] {
  const out: Entry[] = [];
  for (const fn of new Set(entryPoints(view).values())) {
    if (!fn.body) continue;
    const readOnly = fn.stateMutability === 'view' || fn.stateMutability === 'pure';
    if (!readOnly && adminOnly(view, fn)) continue;
    out.push({ fn, readOnly });
  }
  return out;
}

const isSender = (n: AnyNode | undefined): boolean =>
  (n?.nodeType === 'MemberAccess' &&
    n.memberName === 'sender' &&
    (n.expression as AnyNode).nodeType === 'Identifier' &&
    (n.expression as { name?: string }).name === 'msg') ||
  (n?.nodeType === 'FunctionCall' && ((n.expression as { name?: string }).name ?? '') === '_msgSender');

/**
 * Only a trusted account can call it: callerGuard says so, and the check is on the caller's identity
 * (`msg.sender == keeper`, `isAdmin[msg.sender]`, `hasRole(r, msg.sender)`, an `only…` modifier) — not an
 * ordered comparison of a balance keyed by the caller (`balances[msg.sender] >= amount`), which anyone with a
 * deposit passes.
 */
function adminOnly(view: ContractView, fn: FunctionDefinition): boolean {
  const guard = callerGuard(view, fn);
  if (!guard.guarded) return false;
  if (!guard.by?.startsWith('caller check')) return true;
  let identity = false;
  for (const c of reachable(view, [fn])) {
    walkNodes(codeOf(c), (n) => {
      if (n.nodeType === 'BinaryOperation' && (n.operator === '==' || n.operator === '!='))
        identity ||= isSender(n.leftExpression as AnyNode) || isSender(n.rightExpression as AnyNode);
      if (n.nodeType === 'IndexAccess' && typeString(n) === 'bool' && isSender(n.indexExpression as AnyNode))
        identity ||= !selfServed(view).has(rootVar(n));
      if (n.nodeType === 'FunctionCall' && typeString(n) === 'bool')
        identity ||= ((n.arguments as AnyNode[]) ?? []).some(isSender);
    });
  }
  return identity;
}

/** The state variable an lvalue chain starts from (`inMarket[a][b].x` → inMarket's id). */
function rootVar(n: AnyNode): number {
  let e = n;
  while (e.nodeType === 'MemberAccess' || e.nodeType === 'IndexAccess')
    e = (e.nodeType === 'MemberAccess' ? e.expression : e.baseExpression) as AnyNode;
  return (e.referencedDeclaration as number | undefined) ?? -1;
}

const selfServedCache = new WeakMap<ContractView, Set<number>>();

/**
 * State variables some entry point without a caller check writes: a flag anyone can set for themselves
 * (`inMarket[msg.sender] = true`) is membership, not an allow list.
 */
function selfServed(view: ContractView): Set<number> {
  const cached = selfServedCache.get(view);
  if (cached) return cached;
  const out = new Set<number>();
  for (const fn of new Set(entryPoints(view).values())) {
    if (callerGuard(view, fn).guarded) continue;
    for (const c of reachable(view, [fn])) for (const id of stateAccess(view, c).writes) out.add(id);
  }
  selfServedCache.set(view, out);
  return out;
}

/** A key for a report: `balances`, `VaultStorage.total`, `its token balance`. */
export function keyName(view: ContractView, key: Key): string {
  if (key === TOKENS) return 'its token balance';
  if (key === ETHER) return 'its ether balance';
  if (key.startsWith('s:')) return key.slice(2);
  const decl = view.byId.get(Number(key.slice(2)));
  return (decl as { name?: string } | undefined)?.name ?? key;
}
