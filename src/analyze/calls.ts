/**
 * What a call expression calls, read from the typed AST: an internal function (virtual and `super` calls
 * resolved against the contract's linearization), a public library function (run by DELEGATECALL), another
 * contract, a low-level call on an address, a contract creation, a builtin, or a function pointer that
 * cannot be resolved. The call graph (callgraph.ts) follows the internal ones; the effect analysis
 * (effects.ts) judges the others.
 */
import type { FunctionDefinition } from 'solidity-ast';
import { type AnyNode, type Callable, type ContractView, resolveVirtual } from './ast.js';

export type CallTarget =
  /** Runs in this contract's context: followed by the call graph. */
  | { kind: 'internal'; callee: FunctionDefinition }
  /** A public/external library function: DELEGATECALL into the linked library, followed as well. */
  | { kind: 'library'; callee: FunctionDefinition; library: string }
  /** A message call to another contract (or `this`); `readOnly` when it compiles to STATICCALL. */
  | { kind: 'external'; readOnly: boolean; label: string }
  /** `addr.call/delegatecall/staticcall/send/transfer(...)`. */
  | { kind: 'address'; member: 'call' | 'delegatecall' | 'staticcall' | 'send' | 'transfer' | 'callcode' }
  | { kind: 'create'; contract: string }
  | { kind: 'selfdestruct' }
  /** A push or pop on a storage array (or bytes). */
  | { kind: 'storage-array'; base: AnyNode }
  /** A call through a function-type value that cannot be resolved statically. */
  | { kind: 'pointer'; readOnly: boolean }
  /** Builtins, type conversions, struct constructors, events, errors, memory operations. */
  | { kind: 'none' };

const ADDRESS_MEMBERS = new Set(['call', 'delegatecall', 'staticcall', 'send', 'transfer', 'callcode']);

function typeString(node: AnyNode | undefined): string {
  return (node?.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? '';
}

/** A function type that compiles to a call unable to change state (view/pure → STATICCALL or no call). */
function readOnlyType(t: string): boolean {
  return / (view|pure)\b/.test(functionTypeModifiers(t));
}

/** `function (uint256,function () view external) pure returns (…)` → ` pure`: what follows the parameters. */
function functionTypeModifiers(t: string): string {
  const open = t.indexOf('(');
  if (open < 0) return '';
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')' && --depth === 0) return t.slice(i + 1).split(' returns ')[0] ?? '';
  }
  return '';
}

function isExternalType(t: string): boolean {
  return / external\b/.test(functionTypeModifiers(t));
}

function isBuiltin(view: ContractView, node: AnyNode): boolean {
  const ref = (node as { referencedDeclaration?: number | null }).referencedDeclaration;
  return ref === undefined || ref === null || ref < 0 || !view.byId.has(ref);
}

/** The callee expression without call options (`f{value: v}` → `f`). */
function calleeOf(call: AnyNode): AnyNode {
  let expr = call.expression as AnyNode;
  while (expr.nodeType === 'FunctionCallOptions') expr = expr.expression as AnyNode;
  return expr;
}

/**
 * Classify a `FunctionCall` node found in `from` (the function or modifier whose body holds it; needed to
 * resolve `super`).
 */
export function callTarget(view: ContractView, call: AnyNode, from?: Callable): CallTarget {
  if (call.kind === 'typeConversion' || call.kind === 'structConstructorCall') return { kind: 'none' };
  const expr = calleeOf(call);
  const type = typeString(expr);
  if (expr.nodeType === 'NewExpression') {
    const typeName = expr.typeName as AnyNode & { pathNode?: { name?: string } };
    if (typeName.nodeType !== 'UserDefinedTypeName') return { kind: 'none' }; // new bytes(n), new T[](n)
    return { kind: 'create', contract: typeName.pathNode?.name ?? typeString(typeName) };
  }
  if (expr.nodeType === 'Identifier') {
    const name = (expr as { name?: string }).name ?? '';
    if (isBuiltin(view, expr)) {
      return name === 'selfdestruct' || name === 'suicide' ? { kind: 'selfdestruct' } : { kind: 'none' };
    }
    const decl = view.byId.get(expr.referencedDeclaration as number);
    if (decl?.nodeType === 'FunctionDefinition') return internal(view, decl as unknown as FunctionDefinition);
    if (decl?.nodeType === 'EventDefinition' || decl?.nodeType === 'ErrorDefinition') return { kind: 'none' };
    return pointer(type);
  }
  if (expr.nodeType === 'MemberAccess') {
    const base = expr.expression as AnyNode;
    const member = expr.memberName as string;
    const baseType = typeString(base);
    if (/^address( payable)?$/.test(baseType) && ADDRESS_MEMBERS.has(member)) {
      return { kind: 'address', member: member as 'call' };
    }
    if ((member === 'push' || member === 'pop') && / storage\b/.test(baseType)) {
      return { kind: 'storage-array', base };
    }
    const ref = (expr as { referencedDeclaration?: number | null }).referencedDeclaration;
    const decl = ref !== undefined && ref !== null ? view.byId.get(ref) : undefined;
    if (decl?.nodeType === 'EventDefinition' || decl?.nodeType === 'ErrorDefinition') return { kind: 'none' };
    if (decl?.nodeType === 'FunctionDefinition') {
      const fn = decl as unknown as FunctionDefinition;
      const owner = view.ownerOf.get(fn.id);
      if (base.nodeType === 'Identifier' && (base as { name?: string }).name === 'super') {
        const resolved = resolveVirtual(view, fn, from ? view.ownerOf.get(from.id) : undefined);
        return resolved.body ? { kind: 'internal', callee: resolved } : pointer(type);
      }
      if (owner?.contractKind === 'library') {
        if (!fn.body) return pointer(type);
        if (fn.visibility === 'internal' || fn.visibility === 'private')
          return { kind: 'internal', callee: fn };
        return { kind: 'library', callee: fn, library: owner.name };
      }
      if (isExternalType(type)) return external(base, member, type);
      // `C.f()` on a base contract name is an internal call to that exact definition.
      if (fn.body) return { kind: 'internal', callee: fn };
      return pointer(type);
    }
    if (isExternalType(type)) return external(base, member, type);
    if (isBuiltinMember(base)) return { kind: 'none' }; // abi.encode, bytes.concat, type(T).x, block.*
    return pointer(type);
  }
  if (isExternalType(type))
    return { kind: 'external', readOnly: readOnlyType(type), label: 'a function value' };
  // `getF()(x)`, `fs[i](x)`, `(c ? f : g)(x)`: a function value computed at run time.
  if (type.startsWith('function ')) return pointer(type);
  return { kind: 'none' };
}

function internal(view: ContractView, decl: FunctionDefinition): CallTarget {
  const resolved = resolveVirtual(view, decl);
  return resolved.body ? { kind: 'internal', callee: resolved } : { kind: 'pointer', readOnly: false };
}

function pointer(type: string): CallTarget {
  if (!type.startsWith('function ')) return { kind: 'none' };
  return { kind: 'pointer', readOnly: readOnlyType(type) };
}

function external(base: AnyNode, member: string, type: string): CallTarget {
  const contract = typeString(base).replace(/^contract /, '');
  return { kind: 'external', readOnly: readOnlyType(type), label: `${contract}.${member}` };
}

/** `abi.x`, `bytes.concat`, `string.concat`, `type(T).x`, `block.x`, `msg.x`, `tx.x`: magic bases. */
function isBuiltinMember(base: AnyNode): boolean {
  if (base.nodeType === 'Identifier') {
    return ['abi', 'block', 'msg', 'tx'].includes((base as { name?: string }).name ?? '');
  }
  if (base.nodeType === 'ElementaryTypeNameExpression') return true;
  if (base.nodeType === 'FunctionCall') {
    const callee = base.expression as AnyNode;
    return callee.nodeType === 'Identifier' && (callee as { name?: string }).name === 'type';
  }
  return false;
}
