/**
 * simulate's `fuzz` stage — differential fuzzing (issue 14). For every external function the live version and the
 * candidate both have, fast-check generates calls from its ABI (arbitraries.ts, values from pools.ts), each call
 * runs on the state just before the upgrade and on the state just after it (observe.ts: traced calls at the two
 * blocks, same environment), and the two are compared (compare.ts). A property failure is shrunk by fast-check to
 * a minimal reproducing call. Whether the patch changed a function comes from its code (analyze/function-diff.ts):
 * a difference on an unchanged function is `behaviour-changed` (blocks), on a changed one
 * `behaviour-changed-expected` (information for the review).
 *
 * Budget: `runs` calls per function and `timeBudgetMs` for the stage; same seed → same calls → same report, as long
 * as the time budget is not what stopped it (the report says so).
 */
import fc from 'fast-check';
import {
  type Abi,
  type AbiFunction,
  type Address,
  encodeFunctionData,
  type Hex,
  keccak256,
  toFunctionSelector,
  toFunctionSignature,
  toHex,
} from 'viem';
import { changedSelectors } from '../../analyze/function-diff.js';
import { storageLayoutOf } from '../../analyze/upgrades.js';
import { findContract } from '../../build/index.js';
import { abiOf } from '../../chain/deploy.js';
import type { FuzzConfig } from '../../config/schema.js';
import { mapLimit } from '../../core/map-limit.js';
import { abiOfDeployed, type SimulationRun } from '../prepare.js';
import { classifyChanges, type Preimage } from '../storage-diff.js';
import type { Upgrade } from '../upgrade.js';
import { arbitraryOf } from './arbitraries.js';
import { type Aspect, type ByConstruction, describeSide, differenceOf } from './compare.js';
import { type CallSite, callPreimages, type Observed, observeCall, type StorageWrite } from './observe.js';
import { type FuzzValues, fuzzValues } from './pools.js';

/**
 * Functions fuzzed at once, each with its before and after traces in flight together, sent as JSON-RPC batches
 * (`clients.batched`: the client's CPU per HTTP request, not anvil, was the limit — bench/fuzz.mjs).
 */
const CONCURRENCY = 6;
/**
 * On a fork, fewer: an anvil (1.7.1) forking a node stalled for seconds when many separate HTTP requests at once
 * needed state it had not fetched yet (measured without batching: 19 calls in 20 s with 6 in flight, 819 in 3.1 s
 * one at a time). Batched, 2 functions in flight did 635 calls in 1.6–2.1 s and 6 in 1.4–1.8 s here; 2 keeps a
 * margin on a remote node.
 */
const CONCURRENCY_ON_FORK = 2;

export interface FuzzDifference {
  /** `flashFee(address,uint256)`. */
  function: string;
  /** Whether the patch changed the function's code (then the difference is expected, for the review). */
  changed: boolean;
  /** The minimal reproducing call, shrunk: sender and arguments, system addresses by name. */
  call: { from: string; args: string[] };
  aspect: Aspect;
  before: string;
  after: string;
}

export interface FuzzReport {
  seed: number;
  runsPerFunction: number;
  /** Functions the fuzzer ran calls on, and those it could not (a type it does not generate, or no time left). */
  functionsCovered: number;
  functionsTotal: number;
  notCovered: Array<{ function: string; reason: string }>;
  /** Generated calls run, shrinking included; each ran twice (before and after the upgrade). */
  callsRun: number;
  /** True when the time budget stopped the stage: the runs are then not the same from one run to the next. */
  budgetExhausted: boolean;
  differences: FuzzDifference[];
}

interface Target {
  fn: AbiFunction;
  after: AbiFunction;
  signature: string;
  changed: boolean;
}

/** A stable per-function seed: the run's seed mixed with the signature (FNV-1a), so adding a function moves nothing. */
function seedFor(seed: number, signature: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of signature) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}

const shown = (v: unknown, names: Map<string, string>): string => {
  if (typeof v === 'string') return names.get(v.toLowerCase()) ?? JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map((x) => shown(x, names)).join(', ')}]`;
  return String(v);
};

function targetsOf(run: SimulationRun, upgrade: Upgrade): Target[] {
  const { project, config, patch, system } = run;
  const reference = findContract(project, config.contracts[patch.contract]?.reference ?? patch.contract);
  const { changed } = changedSelectors(reference, upgrade.candidate);
  const functions = (abi: Abi) =>
    new Map(
      abi
        .filter((x): x is AbiFunction => x.type === 'function')
        .map((f) => [toFunctionSelector(f).slice(2), f] as const),
    );
  const before = functions(abiOfDeployed(system, patch.contract));
  const after = functions(abiOf(upgrade.candidate));
  return [...before]
    .filter(([sel]) => after.has(sel))
    .map(([sel, fn]) => ({
      fn,
      after: after.get(sel) as AbiFunction,
      signature: toFunctionSignature(fn),
      changed: changed.has(sel),
    }))
    .sort((a, b) => a.signature.localeCompare(b.signature));
}

export interface FuzzSites {
  before: CallSite;
  after: CallSite;
  /** The implementation before and after the upgrade: their addresses and code hashes differ by construction. */
  implementations: [Address, Address];
}

export async function runFuzz(
  run: SimulationRun,
  upgrade: Upgrade,
  sites: FuzzSites,
  options: FuzzConfig,
): Promise<FuzzReport> {
  const { clients, target, errorsAbi } = run;
  const values = fuzzValues(run.config, run.system);
  const masked = await byConstruction(run, sites.implementations);
  const targets = targetsOf(run, upgrade);
  const deadline = performance.now() + options.timeBudgetMs;
  const notCovered: FuzzReport['notCovered'] = [];
  const differences: FuzzDifference[] = [];
  let callsRun = 0;
  let budgetExhausted = false;
  let covered = 0;
  const slotName = slotNamer(run, upgrade, target.address);

  await mapLimit(targets, run.source === undefined ? CONCURRENCY : CONCURRENCY_ON_FORK, async (t) => {
    const argArbs = t.fn.inputs.map((p) => arbitraryOf(p, values.pools));
    if (argArbs.some((a) => !a)) {
      notCovered.push({ function: t.signature, reason: 'a parameter type the fuzzer does not generate' });
      return;
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      budgetExhausted = true;
      notCovered.push({ function: t.signature, reason: 'time budget spent' });
      return;
    }
    const mayWrite = t.fn.stateMutability !== 'view' && t.fn.stateMutability !== 'pure';
    const callOf = (input: Input) => ({
      from: input.from,
      to: target.address,
      data: encodeFunctionData({ abi: [t.fn], functionName: t.fn.name, args: input.args }) as Hex,
    });
    const observeBoth = async (input: Input) => {
      callsRun += 1;
      const call = callOf(input);
      const side = (site: CallSite) => observeCall(clients.batched, call, site, mayWrite);
      return Promise.all([side(sites.before), side(sites.after)]);
    };
    let failure: unknown;
    const property = fc.asyncProperty(
      fc.record({
        from: fc.constantFrom(...values.senders),
        args: fc.tuple(...(argArbs as fc.Arbitrary<unknown>[])),
      }),
      async (input) => {
        if (failure) return true;
        try {
          const [b, a] = await observeBoth(input);
          return differenceOf(b, a, masked) === undefined;
        } catch (e) {
          failure = e; // the node failed: not a difference — rethrown below (fail closed, exit 3)
          return true;
        }
      },
    );
    const details = await fc.check(property, {
      seed: seedFor(options.seed, t.signature),
      numRuns: options.runs,
      interruptAfterTimeLimit: left,
      markInterruptAsFailure: false,
    });
    if (failure) throw failure;
    if (details.interrupted) budgetExhausted = true;
    covered += 1;
    if (!details.failed || !details.counterexample) return;
    const input = details.counterexample[0] as Input;
    const [b, a] = await observeBoth(input);
    const aspect = differenceOf(b, a, masked) ?? 'return';
    // Storage differences name mapping entries from each side's own KECCAK256 preimages.
    const names = async (site: CallSite) =>
      aspect === 'storage'
        ? slotName(await callPreimages(clients.public, callOf(input), site))
        : slotName(new Map());
    const [nb, na] = await Promise.all([names(sites.before), names(sites.after)]);
    differences.push(describe(t, input, aspect, [b, a], values, errorsAbi, [nb, na]));
  });
  const order = new Map(targets.map((t, i) => [t.signature, i]));
  const byOrder = (x: { function: string }, y: { function: string }) =>
    (order.get(x.function) ?? 0) - (order.get(y.function) ?? 0);
  return {
    seed: options.seed,
    runsPerFunction: options.runs,
    functionsCovered: covered,
    functionsTotal: targets.length,
    notCovered: notCovered.sort(byOrder),
    callsRun,
    budgetExhausted,
    differences: differences.sort(byOrder),
  };
}

type SlotNamer = (w: StorageWrite) => string;

interface Input {
  from: Address;
  args: unknown[];
}

function describe(
  t: Target,
  input: Input,
  aspect: Aspect,
  [before, after]: readonly [Observed, Observed],
  values: FuzzValues,
  errorsAbi: Abi,
  [nameBefore, nameAfter]: readonly [SlotNamer, SlotNamer],
): FuzzDifference {
  return {
    function: t.signature,
    changed: t.changed,
    call: {
      from: values.names.get(input.from.toLowerCase()) ?? input.from,
      args: input.args.map((v) => shown(v, values.names)),
    },
    aspect,
    before: describeSide(aspect, before, t.fn, errorsAbi, nameBefore),
    after: describeSide(aspect, after, t.after, errorsAbi, nameAfter),
  };
}

/** The implementations' addresses and code hashes, as the words to mask on each side. */
async function byConstruction(
  run: SimulationRun,
  [before, after]: [Address, Address],
): Promise<ByConstruction> {
  const hash = async (a: Address) => keccak256((await run.clients.public.getCode({ address: a })) ?? '0x');
  const [hb, ha] = await Promise.all([hash(before), hash(after)]);
  return [
    [before.slice(2).toLowerCase(), after.slice(2).toLowerCase()],
    [hb.slice(2), ha.slice(2)],
  ];
}

/**
 * A storage write named for people: the patched proxy's slots by the candidate's layout (mapping entries through
 * the call's KECCAK256 preimages), other accounts' slots by address.
 */
function slotNamer(
  run: SimulationRun,
  upgrade: Upgrade,
  proxy: Address,
): (preimages: Map<bigint, Preimage>) => SlotNamer {
  const { project, config, patch } = run;
  const reference = findContract(project, config.contracts[patch.contract]?.reference ?? patch.contract);
  const candidate = storageLayoutOf(upgrade.candidate);
  const referenceLayout = storageLayoutOf(reference);
  return (preimages) => (w) => {
    if (w.account !== proxy.toLowerCase()) return `${w.account}[${BigInt(w.slot)}]`;
    const [named] = classifyChanges([w], candidate, referenceLayout, [], preimages);
    return named?.variable.startsWith('unknown')
      ? `slot ${toHex(BigInt(w.slot))}`
      : (named?.variable ?? w.slot);
  };
}
