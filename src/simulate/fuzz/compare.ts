/**
 * Before against after for one generated call: status, return data, revert data, events, storage writes (the slots
 * written and the values left there) — in that order, the first that differs is the call's difference. What differs by construction is masked first: the
 * implementation's address and its code hash are another value after the upgrade whatever the patch does, so each
 * is replaced by a placeholder on its side before comparing. Then each side is described for people: return values
 * decoded with the function's outputs, reverts with the project's errors ABI, storage slots named by the layout.
 */
import { type Abi, type AbiFunction, decodeFunctionResult, type Hex } from 'viem';
import { describeRevert } from '../../core/revert.js';
import type { Observed, StorageWrite } from './observe.js';

export type Aspect = 'status' | 'return' | 'revert' | 'events' | 'storage';

/** The words that are another value on each side by construction: `[before, after]`, lowercase, no `0x`. */
export type ByConstruction = ReadonlyArray<readonly [string, string]>;

function masker(pairs: ByConstruction, side: 0 | 1): (s: string) => string {
  return (s) => {
    let out = s.toLowerCase();
    for (const pair of pairs) if (pair[side]) out = out.split(pair[side]).join('<by-construction>');
    return out;
  };
}

/** What a call writes: the slot and the value it leaves there (the old value is state, not the call's behaviour). */
const writeKey = (w: StorageWrite) => `${w.account} ${w.slot} ${w.after}`;

/** The first aspect in which `after` differs from `before`, or undefined when the call behaves the same. */
export function differenceOf(before: Observed, after: Observed, masked: ByConstruction): Aspect | undefined {
  const b = masker(masked, 0);
  const a = masker(masked, 1);
  if (before.status !== after.status) return 'status';
  if (b(before.output) !== a(after.output) || before.error !== after.error)
    return before.status === 'success' ? 'return' : 'revert';
  if (before.events.map(b).join('\n') !== after.events.map(a).join('\n')) return 'events';
  if (
    before.writes.map((w) => b(writeKey(w))).join('\n') !== after.writes.map((w) => a(writeKey(w))).join('\n')
  )
    return 'storage';
  return undefined;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

/** One side of a difference, for people. `slotName` names a storage slot of the patched proxy. */
export function describeSide(
  aspect: Aspect,
  seen: Observed,
  fn: AbiFunction,
  errorsAbi: Abi,
  slotName: (w: StorageWrite) => string,
): string {
  const outcome = () => {
    if (seen.status === 'reverted')
      return `reverted: ${seen.error && seen.error !== 'execution reverted' ? seen.error : describeRevert(seen.output, errorsAbi)}`;
    try {
      return `returned ${json(decodeFunctionResult({ abi: [fn], functionName: fn.name, data: seen.output as Hex }))}`;
    } catch {
      return `returned ${seen.output}`;
    }
  };
  if (aspect === 'status' || aspect === 'return' || aspect === 'revert') return outcome();
  if (aspect === 'events') return `${seen.events.length} event(s): ${seen.events.join('; ') || 'none'}`;
  return seen.writes.length === 0
    ? 'no storage writes'
    : seen.writes.map((w) => `${slotName(w)}: ${BigInt(w.before)} → ${BigInt(w.after)}`).join('; ');
}
