/**
 * ABI diff between the live implementation and the patch: integrators, front ends, keepers and indexers
 * call the proxy by selector and read its events by topic. A removed function or event, or a function that
 * keeps its selector but changes what it returns or whether it writes, breaks them silently.
 */
import { compiled } from '../../build/artifact.js';
import type { Finding, Location } from '../../core/finding.js';
import { type AbiItem, keccakHex, outputsExtended, outputsOf, selectorOf, signatureOf } from '../abi.js';
import { type ContractView, locate } from '../ast.js';
import { makeFinding } from '../catalog.js';

function abiOf(view: ContractView): readonly AbiItem[] {
  return compiled(view.handle).abi as readonly AbiItem[];
}

function functionsBySelector(view: ContractView): Map<string, AbiItem> {
  const out = new Map<string, AbiItem>();
  for (const item of abiOf(view)) if (item.type === 'function') out.set(selectorOf(signatureOf(item)), item);
  return out;
}

function eventsBySelector(view: ContractView): Map<string, AbiItem> {
  const out = new Map<string, AbiItem>();
  for (const item of abiOf(view)) if (item.type === 'event') out.set(keccakHex(signatureOf(item)), item);
  return out;
}

/** The declaration (function or public variable or event) behind a selector, for a location. */
function declarationLocation(view: ContractView, selector: string, name: string): Location {
  const bare = selector.replace(/^0x/, '');
  for (const base of view.linearized) {
    for (const node of base.nodes) {
      const n = node as { functionSelector?: string; eventSelector?: string; src: string; id: number };
      if (n.functionSelector === bare || n.eventSelector === bare) return locate(view, n, name);
    }
  }
  return locate(view, view.def, name);
}

export function abiDiff(reference: ContractView, candidate: ContractView): Finding[] {
  const out: Finding[] = [];
  const before = functionsBySelector(reference);
  const after = functionsBySelector(candidate);
  for (const [selector, fn] of before) {
    const signature = signatureOf(fn);
    const now = after.get(selector);
    if (!now) {
      out.push(
        makeFinding('function-removed', {
          message: `${signature} (${selector}) exists in ${reference.def.name} but not in ${candidate.def.name}: every caller of it will revert after the upgrade.`,
          location: declarationLocation(reference, selector, fn.name ?? ''),
          status: 'introduced',
          key: selector,
        }),
      );
      continue;
    }
    const changes: string[] = [];
    const returnsChanged = outputsOf(fn) !== outputsOf(now);
    if (returnsChanged) changes.push(`returns ${outputsOf(fn)} → ${outputsOf(now)}`);
    if (fn.stateMutability !== now.stateMutability)
      changes.push(`${fn.stateMutability} → ${now.stateMutability}`);
    if (returnsChanged && changes.length === 1 && outputsExtended(fn, now)) {
      // A struct getter whose struct gained a trailing member: old callers still decode the first words.
      out.push(
        makeFinding('function-returns-extended', {
          message: `${signature} keeps its selector and returns ${outputsOf(fn)} → ${outputsOf(now)}: the old values keep their places (all static) and new ones follow, so callers decoding the old shape still read the same values.`,
          location: declarationLocation(candidate, selector, now.name ?? ''),
          status: 'introduced',
          key: selector,
        }),
      );
    } else if (changes.length > 0) {
      out.push(
        makeFinding('function-changed', {
          message: `${signature} keeps its selector but changed: ${changes.join('; ')}.`,
          location: declarationLocation(candidate, selector, now.name ?? ''),
          status: 'introduced',
          key: selector,
        }),
      );
    }
  }
  for (const [selector, fn] of after) {
    if (before.has(selector)) continue;
    out.push(
      makeFinding('function-added', {
        message: `${signatureOf(fn)} (${selector}) is new in ${candidate.def.name}.`,
        location: declarationLocation(candidate, selector, fn.name ?? ''),
        status: 'introduced',
        key: selector,
      }),
    );
  }
  const eventsAfter = eventsBySelector(candidate);
  for (const [topic, ev] of eventsBySelector(reference)) {
    if (eventsAfter.has(topic)) continue;
    const signature = signatureOf(ev);
    out.push(
      makeFinding('event-removed', {
        message: `event ${signature} is no longer emitted by ${candidate.def.name}: indexers and monitors that follow it go blind.`,
        location: declarationLocation(reference, topic, ev.name ?? ''),
        status: 'introduced',
        key: topic,
      }),
    );
  }
  return out;
}
