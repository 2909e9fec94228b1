/**
 * `namespace-slot-mismatch`: an ERC-7201 namespace is checked at the slot its annotation names
 * (`@custom:storage-location erc7201:<id>`), but the code reaches its storage through an accessor that assigns
 * `$.slot := SOME_CONSTANT`. When the constant is not the annotated id's slot, every storage check (upgrades-core
 * included) looked at the wrong place: the patch may write over another namespace (OwnableStorage's `_owner`)
 * while its layout looks unchanged. The constant is read from its declaration (a number literal); an accessor
 * whose slot is computed some other way is not judged here.
 */
import type { FunctionDefinition, StructDefinition, VariableDeclaration } from 'solidity-ast';
import type { Finding } from '../../core/finding.js';
import { keccakBytesHex } from '../abi.js';
import { type AnyNode, type ContractView, locate, resolveVirtual, walk } from '../ast.js';
import { makeFinding } from '../catalog.js';
import { erc7201Slot, namespacesIn } from './namespaces.js';

interface ExternalReference {
  declaration: number;
  src: string;
  suffix?: string;
}

const hex = (v: bigint) => `0x${v.toString(16).padStart(64, '0')}`;

const WORD = (1n << 256n) - 1n;

/**
 * The value of a compile-time expression of the shapes slot constants are written in: number literals, string
 * literals under `keccak256`, `abi.encode` of one word, `uint256(…)`/`bytes32(…)` conversions, `-`, `+`, `&`, `|`,
 * `~` — enough for ERC-7201's own formula `keccak256(abi.encode(uint256(keccak256("id")) - 1)) &
 * ~bytes32(uint256(0xff))`. Anything else is `undefined` (not known).
 */
function evaluate(expr: AnyNode | undefined): bigint | Uint8Array | undefined {
  if (!expr) return undefined;
  const e = expr as AnyNode & Record<string, unknown>;
  if (e.nodeType === 'Literal') {
    if (e.kind === 'string') return new TextEncoder().encode(String(e.value ?? ''));
    if (e.kind !== 'number' || e.subdenomination || typeof e.value !== 'string') return undefined;
    try {
      return BigInt(e.value.replace(/_/g, ''));
    } catch {
      return undefined;
    }
  }
  if (e.nodeType === 'TupleExpression') {
    const parts = (e.components as AnyNode[] | undefined) ?? [];
    return parts.length === 1 ? evaluate(parts[0]) : undefined;
  }
  if (e.nodeType === 'UnaryOperation' && e.operator === '~') {
    const v = word(evaluate(e.subExpression as AnyNode));
    return v === undefined ? undefined : ~v & WORD;
  }
  if (e.nodeType === 'BinaryOperation') {
    const a = word(evaluate(e.leftExpression as AnyNode));
    const b = word(evaluate(e.rightExpression as AnyNode));
    if (a === undefined || b === undefined) return undefined;
    if (e.operator === '&') return a & b;
    if (e.operator === '|') return a | b;
    if (e.operator === '-') return a >= b ? a - b : undefined;
    if (e.operator === '+') return (a + b) & WORD;
    return undefined;
  }
  if (e.nodeType === 'FunctionCall') {
    const args = (e.arguments as AnyNode[] | undefined) ?? [];
    const callee = e.expression as AnyNode & {
      name?: string;
      memberName?: string;
      typeName?: { name?: string };
    };
    const name =
      callee.nodeType === 'ElementaryTypeNameExpression'
        ? callee.typeName?.name
        : callee.nodeType === 'MemberAccess'
          ? `abi.${callee.memberName}`
          : callee.name;
    if (args.length !== 1) return undefined;
    const arg = evaluate(args[0]);
    if (name === 'uint256' || name === 'bytes32') return word(arg);
    if (name === 'abi.encode') {
      const v = word(arg);
      return v === undefined ? undefined : hexToBytes(hex(v));
    }
    if (name === 'keccak256') {
      if (!(arg instanceof Uint8Array)) return undefined;
      return BigInt(keccakBytesHex(Buffer.from(arg).toString('hex')));
    }
  }
  return undefined;
}

const word = (v: bigint | Uint8Array | undefined): bigint | undefined =>
  typeof v === 'bigint' && v >= 0n && v <= WORD ? v : undefined;
const hexToBytes = (h: string) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));

/** The value of a constant whose initial value `evaluate` can compute. */
function literalValue(decl: VariableDeclaration): bigint | undefined {
  if (!decl.constant) return undefined;
  return word(evaluate(decl.value as AnyNode | undefined));
}

/** The local's one value, when it is declared from a constant (or a literal) and never assigned again. */
function localValue(view: ContractView, local: VariableDeclaration, scope: AnyNode): bigint | undefined {
  let value: bigint | undefined;
  let reassigned = false;
  walk(scope, (n) => {
    if (n.nodeType === 'VariableDeclarationStatement') {
      const decls = (n.declarations ?? []) as ({ id: number } | null)[];
      if (decls.length === 1 && decls[0]?.id === local.id)
        value = expressionValue(view, n.initialValue as AnyNode);
    }
    if (n.nodeType === 'Assignment') {
      const lhs = n.leftHandSide as { referencedDeclaration?: number };
      if (lhs.referencedDeclaration === local.id) reassigned = true;
    }
    if (n.nodeType === 'InlineAssembly') {
      for (const r of (n.externalReferences ?? []) as ExternalReference[]) {
        if (r.declaration === local.id && !r.suffix && isYulAssigned(n.AST, r.src)) reassigned = true;
      }
    }
    return undefined;
  });
  return reassigned ? undefined : value;
}

function isYulAssigned(ast: unknown, src: string): boolean {
  let hit = false;
  walk(ast, (y) => {
    if (y.nodeType === 'YulAssignment') {
      for (const v of (y.variableNames ?? []) as { src: string }[]) if (v.src === src) hit = true;
    }
    return undefined;
  });
  return hit;
}

/**
 * A Solidity expression's value when it is a number literal, a constant declared with one, or a call without
 * arguments to a function (the override that runs, as OpenZeppelin's `_initializableStorageSlot()`) whose body is
 * `return <one of those>`.
 */
function expressionValue(view: ContractView, expr: AnyNode | undefined, depth = 0): bigint | undefined {
  if (!expr || depth > 4) return undefined;
  if (expr.nodeType === 'Literal') return word(evaluate(expr));
  if (expr.nodeType === 'FunctionCall' && ((expr.arguments as unknown[]) ?? []).length === 0) {
    const callee = expr.expression as { nodeType: string; referencedDeclaration?: number };
    const decl =
      callee.nodeType === 'Identifier' ? view.byId.get(callee.referencedDeclaration ?? -1) : undefined;
    if (decl?.nodeType !== 'FunctionDefinition') return undefined;
    const body = resolveVirtual(view, decl as unknown as FunctionDefinition).body?.statements ?? [];
    const only = body.length === 1 ? (body[0] as unknown as AnyNode) : undefined;
    return only?.nodeType === 'Return'
      ? expressionValue(view, only.expression as AnyNode, depth + 1)
      : undefined;
  }
  if (expr.nodeType !== 'Identifier') return undefined;
  const decl = view.byId.get((expr as { referencedDeclaration?: number }).referencedDeclaration ?? -1) as
    | VariableDeclaration
    | undefined;
  return decl ? literalValue(decl) : undefined;
}

/**
 * The slot an accessor assigns: a literal, a constant declared with one, or a local holding such a constant and
 * never assigned again. Anything else (arithmetic, a call, a parameter) is `undefined`: not known.
 */
function assignedSlot(
  view: ContractView,
  value: { nodeType: string; value?: string; src: string },
  refs: Map<string, ExternalReference>,
  scope: AnyNode,
): bigint | undefined {
  if (value.nodeType === 'YulLiteral' && value.value !== undefined) {
    try {
      return BigInt(value.value);
    } catch {
      return undefined;
    }
  }
  if (value.nodeType !== 'YulIdentifier') return undefined;
  const decl = view.byId.get(refs.get(value.src)?.declaration ?? -1) as VariableDeclaration | undefined;
  if (!decl) return undefined;
  if (decl.constant) return literalValue(decl);
  return decl.stateVariable ? undefined : localValue(view, decl, scope);
}

export function namespaceSlotMismatches(view: ContractView): Finding[] {
  const erc7201 = new Map<number, { id: string; slot: bigint; struct: StructDefinition }>();
  for (const ns of namespacesIn(view)) {
    if (!ns.id.startsWith('erc7201:')) continue;
    erc7201.set(ns.struct.id, {
      id: ns.id,
      slot: erc7201Slot(ns.id.slice('erc7201:'.length)),
      struct: ns.struct,
    });
  }
  if (erc7201.size === 0) return [];
  const bySlot = new Map([...erc7201.values()].map((ns) => [ns.slot, ns.id]));
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const base of view.linearized) {
    for (const fn of base.nodes) {
      if (fn.nodeType !== 'FunctionDefinition' && fn.nodeType !== 'ModifierDefinition') continue;
      const scope = fn as unknown as AnyNode;
      walk(fn.body, (n) => {
        if (n.nodeType !== 'InlineAssembly') return undefined;
        const refs = new Map(((n.externalReferences ?? []) as ExternalReference[]).map((r) => [r.src, r]));
        walk(n.AST, (y) => {
          if (y.nodeType !== 'YulAssignment') return undefined;
          const target = (y.variableNames as { name: string; src: string }[] | undefined)?.[0];
          const value = y.value as { nodeType: string; value?: string; src: string } | undefined;
          if (!target?.name.endsWith('.slot') || !value) return undefined;
          const pointer = view.byId.get(refs.get(target.src)?.declaration ?? -1) as
            | VariableDeclaration
            | undefined;
          const structId = (pointer?.typeName as { referencedDeclaration?: number } | undefined)
            ?.referencedDeclaration;
          const ns = structId === undefined ? undefined : erc7201.get(structId);
          if (!ns) return undefined;
          const actual = assignedSlot(view, value, refs, scope);
          if (actual === ns.slot) return undefined;
          const key = `${ns.id}:${fn.name || fn.nodeType}`;
          if (seen.has(key)) return undefined;
          seen.add(key);
          const other = actual === undefined ? undefined : bySlot.get(actual);
          out.push(
            actual === undefined
              ? makeFinding('namespace-slot-unverified', {
                  message: `${fn.name} points ${ns.struct.name} (annotated ${ns.id}, slot ${hex(ns.slot)}) at a slot patchgate cannot read from the code: the storage checks assumed the annotated slot, the code may use another.`,
                  location: locate(view, n, fn.name),
                  key,
                })
              : makeFinding('namespace-slot-mismatch', {
                  message: `${ns.struct.name} is annotated ${ns.id} (slot ${hex(ns.slot)}), but ${fn.name} points it at ${hex(actual)}${other ? `, the slot of ${other}` : ''}: the storage checks looked at the annotated slot, the code reads and writes another.`,
                  location: locate(view, n, fn.name),
                  key,
                }),
          );
          return undefined;
        });
        return 'skip';
      });
    }
  }
  return out;
}
