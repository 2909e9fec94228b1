/**
 * What a function DOES, judged over everything it executes (modifiers, body, internal/`super`/library calls,
 * virtual calls resolved — callgraph.ts), not by its declared mutability. An effect is something a caller
 * could want to be privileged:
 * - a storage write (state variables, through storage pointers, mappings, struct members, arrays,
 *   `push`/`pop`/`delete`/`++`), transient storage included;
 * - sending value (`transfer`, `send`, `call{value:…}`), any message call that can change state
 *   (high-level calls to non-view functions, `call`), `delegatecall`, `selfdestruct`, contract creation;
 * - inline assembly with `sstore`/`tstore`/`call`/`callcode`/`delegatecall`/`create`/`create2`/`selfdestruct`,
 *   and assembly or function pointers that cannot be read (fail closed).
 * Not effects: emitting events (and assembly `log0…4`), reading, `staticcall` and calls to view/pure
 * functions (compiled to STATICCALL, which cannot change state), accepting ether (a payable function that
 * does nothing else: receiving ether is no privilege — anyone can force ether into a contract anyway), and
 * OpenZeppelin's reentrancy lock (set and restored within the call), and code behind `onlyInitializing`
 * reached from an ordinary function (it reverts outside an initializer, which is guarded itself).
 */
import type { FunctionDefinition } from 'solidity-ast';
import { type AnyNode, type ContractView, walk } from './ast.js';
import { type Callable, codeOf, initializingOnly, reachable } from './callgraph.js';
import { callTarget } from './calls.js';
import {
  assemblyCalls,
  assemblyReferences,
  describeTarget,
  writesStorage,
  writtenExpressions,
} from './state-access.js';

export type EffectKind =
  | 'writes-storage'
  | 'sends-value'
  | 'external-call'
  | 'delegatecall'
  | 'selfdestruct'
  | 'creates-contract'
  | 'assembly'
  | 'unresolved-call';

export interface Effect {
  kind: EffectKind;
  /** For a report: `writes owner`, `sends value`, `calls IERC20.transfer`. */
  text: string;
  /** The function or modifier where it happens. */
  where: string;
}

/** OpenZeppelin's reentrancy lock writes its slot on entry and restores it on exit: no lasting effect. */
const REENTRANCY_LOCKS = /^ReentrancyGuard(Transient)?(Upgradeable)?$/;

function isReentrancyLock(view: ContractView, c: Callable): boolean {
  const owner = view.ownerOf.get(c.id);
  return !!owner && REENTRANCY_LOCKS.test(owner.name) && view.fileOfNode(owner).startsWith('@openzeppelin/');
}

/** A view or pure function cannot have an effect: the compiler forbids it (assembly included). */
function isReadOnly(c: Callable): boolean {
  return (
    c.nodeType === 'FunctionDefinition' && (c.stateMutability === 'view' || c.stateMutability === 'pure')
  );
}

const ASSEMBLY_EFFECTS: Record<string, [EffectKind, string]> = {
  sstore: ['writes-storage', 'writes storage in assembly'],
  tstore: ['writes-storage', 'writes transient storage in assembly'],
  call: ['external-call', 'makes a call in assembly'],
  callcode: ['delegatecall', 'makes a callcode in assembly'],
  delegatecall: ['delegatecall', 'delegatecalls in assembly'],
  create: ['creates-contract', 'creates a contract in assembly'],
  create2: ['creates-contract', 'creates a contract in assembly'],
  selfdestruct: ['selfdestruct', 'selfdestructs in assembly'],
};

function nodeEffects(view: ContractView, n: AnyNode, from: Callable): Array<Omit<Effect, 'where'>> {
  const out: Array<Omit<Effect, 'where'>> = [];
  for (const target of writtenExpressions(view, n, from)) {
    if (writesStorage(view, target))
      out.push({ kind: 'writes-storage', text: `writes ${describeTarget(view, target)}` });
  }
  if (n.nodeType === 'InlineAssembly') {
    const calls = assemblyCalls(n);
    if (!calls) return [{ kind: 'assembly', text: 'runs inline assembly that cannot be analysed' }];
    for (const name of calls) {
      const effect = ASSEMBLY_EFFECTS[name];
      if (!effect) continue;
      const [kind, text] = effect;
      const slots = name === 'sstore' ? slotNames(view, n) : '';
      out.push({ kind, text: slots ? `writes ${slots} in assembly` : text });
    }
    return out;
  }
  if (n.nodeType !== 'FunctionCall') return out;
  const target = callTarget(view, n, from);
  switch (target.kind) {
    case 'address':
      if (target.member === 'send' || target.member === 'transfer')
        out.push({ kind: 'sends-value', text: 'sends value' });
      else if (target.member === 'delegatecall' || target.member === 'callcode')
        out.push({ kind: 'delegatecall', text: 'delegatecalls an address' });
      else if (target.member === 'call') {
        const options = n.expression as AnyNode;
        const sendsValue =
          options.nodeType === 'FunctionCallOptions' && ((options.names as string[]) ?? []).includes('value');
        out.push({
          kind: sendsValue ? 'sends-value' : 'external-call',
          text: sendsValue ? 'sends value with a low-level call' : 'makes a low-level call',
        });
      }
      break;
    case 'external':
      if (!target.readOnly)
        out.push({ kind: 'external-call', text: `calls an external contract (${target.label})` });
      break;
    case 'library':
      if (!isReadOnly(target.callee))
        out.push({ kind: 'delegatecall', text: `delegatecalls library ${target.library}` });
      break;
    case 'create':
      out.push({ kind: 'creates-contract', text: `creates a contract (${target.contract})` });
      break;
    case 'selfdestruct':
      out.push({ kind: 'selfdestruct', text: 'selfdestructs' });
      break;
    case 'pointer':
      if (!target.readOnly)
        out.push({ kind: 'unresolved-call', text: 'calls a function value that cannot be resolved' });
      break;
  }
  return out;
}

function slotNames(view: ContractView, asm: AnyNode): string {
  const names = assemblyReferences(asm)
    .map((id) => view.byId.get(id))
    .filter((d) => d?.nodeType === 'VariableDeclaration' && (d as { stateVariable?: boolean }).stateVariable)
    .map((d) => (d as { name?: string }).name);
  return [...new Set(names)].join(', ');
}

/** Every effect of calling `fn` (deduplicated by text), in the order met. Empty: it changes nothing. */
export function effectsOf(view: ContractView, fn: FunctionDefinition): Effect[] {
  if (isReadOnly(fn)) return [];
  const out = new Map<string, Effect>();
  const skip = (c: Callable) =>
    c.id !== fn.id && (isReadOnly(c) || isReentrancyLock(view, c) || initializingOnly(view, c));
  for (const c of reachable(view, [fn], skip)) {
    const where = c.id === fn.id ? '' : c.name || (c.nodeType === 'FunctionDefinition' ? c.kind : 'modifier');
    walk(codeOf(c), (n) => {
      for (const e of nodeEffects(view, n, c)) if (!out.has(e.text)) out.set(e.text, { ...e, where });
      return n.nodeType === 'InlineAssembly' ? 'skip' : undefined;
    });
  }
  return [...out.values()];
}

/** `writes owner, sends value and calls IERC20.transfer` (the first few). */
export function describeEffects(effects: readonly Effect[], max = 3): string {
  const texts = effects.slice(0, max).map((e) => (e.where ? `${e.text} (in ${e.where})` : e.text));
  const more = effects.length > max ? ` and ${effects.length - max} more` : '';
  if (texts.length <= 1) return `${texts[0] ?? ''}${more}`;
  return more ? `${texts.join(', ')}${more}` : `${texts.slice(0, -1).join(', ')} and ${texts.at(-1)}`;
}
