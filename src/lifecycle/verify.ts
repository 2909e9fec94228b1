/**
 * `verify`: after execution, what is on chain must be exactly what was approved — the proxy's
 * implementation slot holds the approved implementation; its runtime bytecode is the compiled candidate
 * (metadata and immutables masked) and hashes to the approved codehash; the timelock executed the approved
 * target and calldata under the operation id recomputed from them; the config's invariants hold. Any
 * difference is a blocking finding naming it, and the patch is not recorded as verified.
 */

import { type Hex, isAddressEqual, keccak256, parseEventLogs } from 'viem';
import { makeFinding } from '../analyze/catalog.js';
import { compiled } from '../build/artifact.js';
import { findContract } from '../build/find.js';
import { compareRuntime } from '../chain/bytecode.js';
import { abiOf } from '../chain/deploy.js';
import { initializedVersion, initializersDisabled, usesInitializableV5 } from '../chain/initializable.js';
import { introspectProxy } from '../chain/proxy.js';
import { TIMELOCK_ABI } from '../core/abis.js';
import { evidenceDigest } from '../core/digest.js';
import { type Finding, type ReportHeader, verdictOf } from '../core/finding.js';
import type { FindingId } from '../core/finding-ids.js';
import { VERSION } from '../core/version.js';
import type { PatchRecord } from '../govern/digest.js';
import { PATCHGATE_ABI } from '../govern/patchgate-abi.js';
import { GATE_LANE } from '../govern/patchgate-calls.js';
import { planOperationId, timelockCall } from '../govern/plan.js';
import type { PatchState } from '../store/store.js';
import { checkInvariant } from '../system/invariants.js';
import { liveSystem, projectOf, requirePatch, requireState } from './context.js';
import { failpoint } from './failpoint.js';
import type { Lifecycle } from './lifecycle.js';

import { syncLog } from './log-sync.js';
import { advance } from './queue.js';

export interface VerifyCheck {
  name: 'implementation' | 'bytecode' | 'initializers' | 'calldata' | `invariant:${string}`;
  ok: boolean;
  detail: string;
}

export interface VerifyReport extends ReportHeader<'verify'> {
  patch: string;
  state: PatchState;
  checks: VerifyCheck[];
  /** The evidence hash of `checks` (evidenceDigest). */
  evidence: Hex;
}

const short = (h: string) => (h.length > 20 ? `${h.slice(0, 10)}…${h.slice(-4)}` : h);

async function verifyStep(lc: Lifecycle, params: { digest: Hex }): Promise<VerifyReport> {
  const started = performance.now();
  const patch = await requirePatch(lc, params.digest);
  requireState(patch, ['executed', 'verified'], 'verify');
  const { record, plan } = patch;
  const checks: VerifyCheck[] = [];
  const findings: Finding[] = [];
  const fail = (id: FindingId, check: VerifyCheck) => {
    checks.push(check);
    findings.push(makeFinding(id, { message: check.detail, status: 'introduced', key: check.name }));
  };

  const slot = (await introspectProxy(lc.clients.public, record.proxy)).implementation;
  if (isAddressEqual(slot, record.implementation)) {
    checks.push({ name: 'implementation', ok: true, detail: `implementation slot = ${slot}` });
  } else {
    fail('verify-implementation-mismatch', {
      name: 'implementation',
      ok: false,
      detail: `implementation slot of ${record.proxy} holds ${slot}; the approved implementation is ${record.implementation}`,
    });
  }

  const project = await projectOf(lc);
  const candidate = findContract(project, plan.candidate);
  const code = (await lc.clients.public.getCode({ address: record.implementation })) ?? '0x';
  const cmp = compareRuntime(code, compiled(candidate).evm.deployedBytecode);
  const codehash = code === '0x' ? 'none' : keccak256(code);
  if (cmp.match && codehash === record.codehash) {
    checks.push({
      name: 'bytecode',
      ok: true,
      detail: `runtime code = ${plan.candidate} (${cmp.onChainLength} bytes, metadata and immutables masked), codehash ${short(codehash)}`,
    });
  } else {
    fail('verify-bytecode-mismatch', {
      name: 'bytecode',
      ok: false,
      detail: cmp.match
        ? `codehash of ${record.implementation} is ${codehash}, the approved codehash is ${record.codehash}`
        : `runtime code of ${record.implementation} differs from ${plan.candidate} at byte ${cmp.firstDifference} (${cmp.onChainLength} bytes on chain, ${cmp.compiledLength} compiled)`,
    });
  }

  if (usesInitializableV5(abiOf(candidate))) {
    const version = await initializedVersion(lc.clients.public, record.implementation);
    if (initializersDisabled(version)) {
      checks.push({
        name: 'initializers',
        ok: true,
        detail: `initializers disabled on the implementation itself`,
      });
    } else {
      fail('verify-implementation-initializable', {
        name: 'initializers',
        ok: false,
        detail: `the implementation ${record.implementation} can be initialized by anyone: its own Initializable version is ${version}, not type(uint64).max`,
      });
    }
  }

  const id = planOperationId(record, plan);
  const executed = await lc.clients.public.getContractEvents({
    address: plan.timelock,
    abi: TIMELOCK_ABI,
    eventName: 'CallExecuted',
    args: { id },
    fromBlock: 0n,
  });
  const call = executed.at(-1)?.args;
  if (!call) {
    fail('verify-calldata-mismatch', {
      name: 'calldata',
      ok: false,
      detail: `timelock ${plan.timelock} never executed operation ${id}`,
    });
  } else {
    // The approved call, as the timelock makes it (through PatchGate when the patch is gated).
    const approved = timelockCall(record, plan);
    const txHash = executed.at(-1)?.transactionHash as Hex;
    const diffs = [
      !isAddressEqual(call.target as Hex, approved.target) &&
        `target ${call.target} ≠ approved ${approved.target}`,
      call.value !== 0n && `value ${call.value} ≠ 0`,
      (call.data as Hex).toLowerCase() !== approved.data.toLowerCase() &&
        `calldata ${short(call.data as Hex)} ≠ approved ${short(approved.data)}`,
      ...(plan.gate ? [await gateDifference(lc, plan.gate, txHash, record, patch.digest)] : []),
    ].filter(Boolean);
    if (diffs.length === 0) {
      checks.push({
        name: 'calldata',
        ok: true,
        detail: `operation ${short(id)} executed the approved call to ${approved.target}${plan.gate ? ' (PatchGate checked the policy, the lane and the codehash, and emitted PatchExecuted with the digest and lane)' : ''} (tx ${short(txHash)})`,
      });
    } else {
      fail('verify-calldata-mismatch', {
        name: 'calldata',
        ok: false,
        detail: `operation ${short(id)}: ${diffs.join('; ')}`,
      });
    }
  }

  const system = await liveSystem(lc);
  const candidateAbi = abiOf(candidate);
  for (const inv of lc.config.invariants) {
    const abi = inv.target === plan.contract ? candidateAbi : (system.contracts.get(inv.target)?.abi ?? []);
    const result = await checkInvariant(lc.clients, system, inv, abi);
    const what = `${inv.target}.${inv.function}() ${inv.op} ${inv.value}`;
    if (result.held) {
      checks.push({ name: `invariant:${inv.name}`, ok: true, detail: `${what} (got ${result.actual})` });
    } else {
      fail('invariant-broken', {
        name: `invariant:${inv.name}`,
        ok: false,
        detail: `invariant ${inv.name} (${what}) is broken on chain: got ${result.actual}`,
      });
    }
  }

  const verdict = verdictOf(findings);
  let state = patch.state;
  if (verdict === 'pass') {
    failpoint('verify:before-record');
    await advance(lc, patch, 'verified');
    state = 'verified';
  }
  return {
    tool: { name: 'patchgate', version: VERSION },
    verdict,
    digest: patch.digest,
    stages: [
      {
        name: 'verify',
        status: verdict === 'pass' ? 'passed' : 'failed',
        durationMs: Math.round(performance.now() - started),
      },
    ],
    findings,
    report: 'verify',
    patch: plan.name,
    state,
    checks,
    evidence: evidenceDigest(checks),
  };
}

/** The step, then its events into the transparency log (once each, however often it runs). */
/** With a gate: its PatchExecuted in the execute transaction must name this proxy, implementation, codehash, digest and lane. */
async function gateDifference(
  lc: Lifecycle,
  gate: Hex,
  txHash: Hex,
  record: PatchRecord,
  digest: Hex,
): Promise<string | false> {
  const receipt = await lc.clients.public.getTransactionReceipt({ hash: txHash });
  const events = parseEventLogs({
    abi: PATCHGATE_ABI,
    logs: receipt.logs,
    eventName: 'PatchExecuted',
  }).filter((l) => isAddressEqual(l.address, gate));
  const match = events.find(
    (e) =>
      isAddressEqual(e.args.proxy, record.proxy) &&
      isAddressEqual(e.args.implementation, record.implementation) &&
      e.args.codehash === record.codehash &&
      e.args.digest === digest &&
      e.args.lane === GATE_LANE[record.lane],
  );
  return match
    ? false
    : `PatchGate ${gate} emitted no PatchExecuted for this proxy, implementation, codehash, digest and ${record.lane} lane in tx ${short(txHash)}`;
}

/**
 * `patchgate verify`: what ran on chain is what was approved — implementation slot, runtime bytecode against
 * the audited build, executed calldata, initializers, invariants; a passing verify moves the patch to
 * `verified`.
 *
 * @example
 * ```ts
 * const report = await verify(lc, { digest });
 * for (const c of report.checks) console.log(c.ok ? 'ok  ' : 'FAIL', c.name, c.detail);
 * ```
 */
export async function verify(lc: Lifecycle, params: { digest: Hex }): Promise<VerifyReport> {
  const r = await verifyStep(lc, params);
  await syncLog(lc, r.digest as Hex);
  return r;
}
